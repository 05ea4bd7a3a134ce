"""What incidents tells the apps above it. Sent inside the transaction of the service that wrote
the event, so whatever a receiver writes commits or rolls back with it."""

from django.dispatch import Signal

# Sent with event=<IncidentEvent> after every timeline event is written.
incident_event = Signal()
