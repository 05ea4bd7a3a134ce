# The app's first migration, empty: each part of the app adds its own after it.
from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = []
