"""Case services, one module per stage: submission, acceptance, processing, delivery.
Every state change goes through ``onewindow.cases.workflow.apply_transition``."""
