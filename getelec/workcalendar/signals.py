from django.dispatch import Signal

# Sent after a year's schedule is imported or changed (inside the import's transaction), with
# `year` and `actor`; domains recompute deadlines that were pending on that year.
calendar_year_imported = Signal()
