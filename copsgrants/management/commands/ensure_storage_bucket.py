from botocore.exceptions import ClientError
from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError
from storages.backends.s3 import S3Storage

from copsgrants.storage import PRIVATE_STORAGE_ALIAS


class Command(BaseCommand):
    help = (
        "Create the private-storage bucket if it does not exist (STORAGE_BACKEND=s3). Safe to run "
        "again, and from several hosts at once; does nothing for filesystem storage."
    )

    def handle(self, *args, **options) -> None:
        storage = storages[PRIVATE_STORAGE_ALIAS]
        if not isinstance(storage, S3Storage):
            self.stdout.write("Private storage is not S3: no bucket to create.")
            return
        client = storage.connection.meta.client
        bucket = storage.bucket_name
        try:
            client.head_bucket(Bucket=bucket)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in {"404", "NoSuchBucket"}:
                raise CommandError(f"Cannot reach bucket {bucket!r}: {exc}") from exc
        else:
            self.stdout.write(f"Bucket {bucket!r} exists.")
            return
        arguments: dict = {"Bucket": bucket}
        region = storage.region_name
        if region and region != "us-east-1":
            # us-east-1 is S3's default and refuses an explicit location constraint.
            arguments["CreateBucketConfiguration"] = {"LocationConstraint": region}
        try:
            client.create_bucket(**arguments)
        except ClientError as exc:
            # Another host created it between our two calls: that is the outcome we wanted.
            if exc.response.get("Error", {}).get("Code") != "BucketAlreadyOwnedByYou":
                raise CommandError(f"Cannot create bucket {bucket!r}: {exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"Created bucket {bucket!r}."))
