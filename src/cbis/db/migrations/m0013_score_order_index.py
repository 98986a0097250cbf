"""Schema version 13: the score order read from an index. Frozen: never edit these definitions (see _ddl.py).

`ix_predictions_model_rank_score` (model_id, rank, score): each model's top-1 predictions, best score first when
read backwards. The gallery's and `cbis search --sort score`'s pages read the scored files from it in order and stop
after a page (db/queries._KeyedOrder), instead of sorting every file of the case for each page (0.3-0.9 s at
300,000 files). It leads with the columns of ix_predictions_model_rank, which it makes redundant: that one is
dropped, so a case keeps one index over those columns, not two.
"""

from __future__ import annotations

from sqlalchemy import Connection

NAME = "the score order's index"

_STATEMENTS = (
    "CREATE INDEX ix_predictions_model_rank_score ON predictions (model_id, rank, score)",
    "DROP INDEX ix_predictions_model_rank",
)


def migrate(connection: Connection) -> None:
    for statement in _STATEMENTS:
        connection.exec_driver_sql(statement)
