"""The training fixtures, for the storage tests that render certificates."""

from tests.training.helpers import sro_agency, training_coordinator  # noqa: F401 (fixtures)
