import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "For local development: create a superuser 'admin' with a random password, printed "
        "once, if no superuser exists yet. Does nothing on later runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        from django.conf import settings

        if not settings.DEBUG:
            raise CommandError(
                "Refusing to create an account with a printed password while DEBUG is off. "
                "Use: python manage.py createsuperuser"
            )
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write(
                "Admin: sign in at /admin/ with your local superuser "
                "(forgotten the password? python manage.py changepassword admin)."
            )
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        line = "=" * 64
        self.stdout.write(
            f"{line}\nA local admin account was created. This password is shown only once:\n"
            f"  username: {username}\n  password: {password}\n"
            f"Sign in at http://127.0.0.1:{os.environ.get('PORT', '8000')}/admin/\n{line}"
        )
