"""The model backend, reading a signed-in user with its unit in one query.

Every request of a signed-in user loads the user from the session, and nearly every page
then reads `user.unit` (the menu, the scope of every business query): Django's backend
loads the two in two queries."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

BACKEND = "zizhu.accounts.backends.UnitModelBackend"


class UnitModelBackend(ModelBackend):
    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("unit")
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
