"""The ratings' write services (DESIGN.md convention 1): one function per business action."""

from onewindow.ratings.services.complaint import (
    complaint_call_back,
    complaint_close,
    complaint_reject,
    complaint_respond,
    complaint_submit,
)
from onewindow.ratings.services.rating import (
    case_for_token,
    link_token,
    rate_case,
    rate_case_at_kiosk,
    rate_case_by_link,
    rate_visit,
)
from onewindow.ratings.services.rectification import (
    rectification_appeal,
    rectification_call_back,
    rectification_close,
    rectification_decide_appeal,
    rectification_rectify,
    rectification_reject,
)

__all__ = [
    "case_for_token",
    "complaint_call_back",
    "complaint_close",
    "complaint_reject",
    "complaint_respond",
    "complaint_submit",
    "link_token",
    "rate_case",
    "rate_case_at_kiosk",
    "rate_case_by_link",
    "rate_visit",
    "rectification_appeal",
    "rectification_call_back",
    "rectification_close",
    "rectification_decide_appeal",
    "rectification_rectify",
    "rectification_reject",
]
