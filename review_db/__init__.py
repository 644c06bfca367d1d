"""The review database: runs, drafts and the experts' corrections (SQLAlchemy + Alembic).

db           where the database is (OUT/review.sqlite or EVIDENCE_REVIEW_DB), migrations
models       the tables
runs         recording a finished review run
corrections  reading edited sheet.xlsx files back, append-only corrections
final        a sheet as the experts left it (newest correction wins)
agreement    system vs experts: exact agreement, Cohen's kappa, most corrected
labels       corrections as labelled data for the classifier and the matcher
"""
