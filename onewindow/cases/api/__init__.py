"""The cases API under /api/v1/cases (and /api/v1/tasks): one sub-router per stage."""

from ninja import Router

from onewindow.cases.api.acceptance import router as acceptance_router
from onewindow.cases.api.bundle import router as bundle_router
from onewindow.cases.api.processing import bulk_router
from onewindow.cases.api.processing import router as processing_router
from onewindow.cases.api.submission import router as submission_router
from onewindow.cases.api.whole import router as whole_router

router = Router(tags=["办件"])
# before submission_router: /cases/submissions must not be taken for /cases/{number}
router.add_router("", whole_router)
# before submission_router: /cases/bulk-transition and /tasks/bulk-complete likewise
router.add_router("", bulk_router)
router.add_router("", submission_router)
router.add_router("", acceptance_router)
router.add_router("", processing_router)
router.add_router("", bundle_router)
