"""The training fixtures (defined in helpers.py) for every test module in this folder: use them
by name, without importing them."""

from .helpers import sro_agency, training_coordinator  # noqa: F401 (fixtures)
