"""The user's own files: model registry, saved samples, enrolment plans, training-run bookkeeping."""
