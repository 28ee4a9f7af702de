"""Everything about cost anomalies, pure maths (no database): the detector, its known effects
(recurring fees, credits, the Russian holiday calendar), slow growth and the drivers of an
event. `core.services.anomaly_service` is the one service that runs it for an organisation."""

from core.analytics.anomalies.detector import (
    DRIFT,
    DROP,
    FEE_CHANGE,
    FEE_MISSING,
    GROWTH,
    LEVEL_SHIFT,
    SPIKE,
    Anomaly,
    Detection,
    DetectorSettings,
    detect,
)
from core.analytics.anomalies.recurring import RecurringFee

__all__ = ["DRIFT", "DROP", "FEE_CHANGE", "FEE_MISSING", "GROWTH", "LEVEL_SHIFT", "SPIKE",
           "Anomaly", "Detection", "DetectorSettings", "RecurringFee", "detect"]
