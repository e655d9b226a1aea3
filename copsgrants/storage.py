"""The private file storage (settings.STORAGES["private"]) as the FileFields see it.

A FileField resolves its storage once, when the model class is built. Handing it this lazy proxy
instead of the storage itself means the field follows STORAGES: the same code writes letters, MOUs
and certificates to the filesystem under MEDIA_ROOT in development and to an S3 bucket when
several hosts serve the site, and a test that overrides STORAGES reaches the real backend."""

from __future__ import annotations

from django.core.files.storage import Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty

PRIVATE_STORAGE_ALIAS = "private"


class PrivateStorage(LazyObject):
    def _setup(self) -> None:
        self._wrapped: Storage = storages[PRIVATE_STORAGE_ALIAS]


private_storage = PrivateStorage()


@receiver(setting_changed)
def _forget_the_backend(*, setting: str, **kwargs) -> None:
    # Django rebuilds its `storages` handler when STORAGES changes; look the backend up again.
    if setting in {"STORAGES", "MEDIA_ROOT"}:
        private_storage._wrapped = empty
