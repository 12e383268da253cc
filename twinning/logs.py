"""Structured logs of what staff do: admin changes, sign-ins, failed sign-ins, lockouts.

Every line is JSON (settings.LOGGING). Staff are named by username; nothing about visitors is
logged (no address, no browser), and no password or session key ever is.
"""

import logging

from axes.signals import user_locked_out
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

logger = logging.getLogger("twinning.staff")
ACTIONS = {ADDITION: "added", CHANGE: "changed", DELETION: "deleted"}


@receiver(post_save, sender=LogEntry, dispatch_uid="twinning_log_admin_action")
def admin_action(sender, instance, created, **kwargs):
    if not created:
        return
    logger.info(
        "staff %s %s",
        ACTIONS.get(instance.action_flag, "acted on"),
        instance.content_type.model if instance.content_type_id else "record",
        extra={
            "event": "staff_action",
            "action": ACTIONS.get(instance.action_flag, str(instance.action_flag)),
            "staff": instance.user.get_username(),
            "model": f"{instance.content_type.app_label}.{instance.content_type.model}"
            if instance.content_type_id
            else "",
            "object_id": str(instance.object_id),
            "object": instance.object_repr,
        },
    )


def change_proposed(user, proposal):
    """An Editor's save of a published record, kept as a proposed change (no admin log entry:
    the record itself did not change, and the proposal's own page is for Publishers)."""
    content_type = proposal.content_type
    logger.info(
        "staff proposed a change to %s",
        content_type.model,
        extra={
            "event": "staff_action",
            "action": "proposed",
            "staff": user.get_username(),
            "model": f"{content_type.app_label}.{content_type.model}",
            "object_id": str(proposal.object_id),
            "object": proposal.object_repr,
        },
    )


@receiver(user_logged_in, dispatch_uid="twinning_log_login")
def logged_in(sender, request, user, **kwargs):
    logger.info("staff signed in", extra={"event": "login", "staff": user.get_username()})


@receiver(user_logged_out, dispatch_uid="twinning_log_logout")
def logged_out(sender, request, user, **kwargs):
    name = user.get_username() if user else ""
    logger.info("staff signed out", extra={"event": "logout", "staff": name})


@receiver(user_login_failed, dispatch_uid="twinning_log_login_failed")
def login_failed(sender, credentials, request=None, **kwargs):
    # credentials are already cleansed by Django (the password is replaced by stars); keep the name only.
    logger.warning(
        "failed sign-in",
        extra={"event": "login_failed", "username": str(credentials.get("username", ""))[:150]},
    )


@receiver(user_locked_out, dispatch_uid="twinning_log_lockout")
def locked_out(sender, request, username=None, ip_address=None, **kwargs):
    logger.warning(
        "sign-in locked after repeated failures",
        extra={"event": "lockout", "username": str(username or "")[:150]},
    )
