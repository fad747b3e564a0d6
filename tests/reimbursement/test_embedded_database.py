"""The embedded mode (SQLite, ``scripts/run.sh``) builds, approves and exports a payment run to
the penny: the build's hand-written SQL runs there too, in a child process on an in-memory
database (the rest of the suite runs on PostgreSQL)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_embedded_database_builds_and_exports_a_run_to_the_penny(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": "sqlite://:memory:",
        "REDIS_URL": "",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "VAR_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-m", "tests.reimbursement.embedded_run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])

    assert found["changed_again"] is False
    assert found["total"] == "1734.30"
    assert found["rows"] == [
        [
            "PR-EMB-2026-05",
            "2026-05",
            "=CMD()",
            "Ann0 Mentor",
            "7000000",
            "GP scheme",
            "3",
            "867.30",
            "0.00",
            "0.00",
            "867.30",
        ],
        [
            "PR-EMB-2026-05",
            "2026-05",
            "P-2",
            "Ann1 Mentor",
            "7000001",
            "GP scheme",
            "3",
            "867.30",
            "0.00",
            "-0.30",
            "867.00",
        ],
        [
            "PR-EMB-2026-05",
            "2026-05",
            "TOTAL",
            "",
            "",
            "",
            "6",
            "1734.60",
            "0.00",
            "-0.30",
            "1734.30",
        ],
    ]
