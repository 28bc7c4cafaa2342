"""Public-schema tasks: fan a job out to every bureau."""

from celery import current_app, shared_task

from .selectors import bureau_list


@shared_task(name="tenants.for_each_bureau")
def for_each_bureau(task_name: str, kwargs: dict | None = None, stagger_seconds: int = 0) -> list[str]:
    """Send `task_name` once per bureau, in that bureau's schema.

    Beat runs in the public schema; per-tenant beat entries would fire every bureau at the same
    second, so one dispatcher sends them, optionally `stagger_seconds` apart.
    """
    sent = []
    for i, bureau in enumerate(bureau_list()):
        current_app.send_task(
            task_name, kwargs=kwargs or {}, headers={"_schema_name": bureau.schema_name},
            countdown=i * stagger_seconds or None,
        )
        sent.append(bureau.schema_name)
    return sent
