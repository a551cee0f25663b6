"""Models of the retention app, one module per area; import them from here."""

from retention.models.holds import DestructionSuspension, LegalHold
from retention.models.paper import PaperDestructionTask
from retention.models.policies import RetentionPolicy
from retention.models.register import DestructionNotice, DestructionRecord, SweepRun

__all__ = [
    "DestructionNotice",
    "DestructionRecord",
    "DestructionSuspension",
    "LegalHold",
    "PaperDestructionTask",
    "RetentionPolicy",
    "SweepRun",
]
