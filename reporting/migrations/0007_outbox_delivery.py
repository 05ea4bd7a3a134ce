"""Delivery states of the outbox (issue 16): record an attempt before sending, so a send cut off
mid-way is known as uncertain and resent at most once, marked."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reporting', '0006_calendar_day_rules'),
    ]

    operations = [
        migrations.AddField(
            model_name='outbox',
            name='attempted_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='attempted at'),
        ),
        migrations.AddField(
            model_name='outbox',
            name='queued_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='queued at'),
        ),
        migrations.AddField(
            model_name='outbox',
            name='resend_of_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='resend of the attempt at'),
        ),
        migrations.AddField(
            model_name='outbox',
            name='state',
            field=models.CharField(choices=[('pending', 'waiting to be sent'), ('queued', 'queued'), ('sending', 'being sent'), ('sent', 'sent'), ('failed', 'failed'), ('uncertain', 'outcome unknown')], default='pending', max_length=10, verbose_name='state'),
        ),
        # Rows of before: sent ones are sent; those that used up the ten attempts have failed.
        migrations.RunSQL(
            "UPDATE reporting_outbox SET state = 'sent' WHERE sent_at IS NOT NULL; "
            "UPDATE reporting_outbox SET state = 'failed' WHERE sent_at IS NULL AND attempts >= 10;",
            migrations.RunSQL.noop,
        ),
    ]
