"""Migration operations shared by this app's migrations (the loader skips modules named _*)."""

from django.db import migrations


class OnPostgreSQL(migrations.operations.base.Operation):
    """Run the wrapped operation only when the database is PostgreSQL."""

    reduces_to_sql = False
    reversible = True

    def __init__(self, operation):
        self.operation = operation

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            self.operation.database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            self.operation.database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return f"{self.operation.describe()} (PostgreSQL only)"

    def deconstruct(self):
        return (self.__class__.__qualname__, [self.operation], {})
