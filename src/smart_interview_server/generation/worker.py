"""Background generation of CV summaries and dossiers.

Jobs run on a thread pool inside each instance; their state lives in the database. A job is
*claimed* by setting a lease (``summary_lease_until`` / ``lease_until``) with one conditional
UPDATE, so of several instances exactly one runs it. A sweeper (at start-up, then periodically)
re-submits pending jobs whose lease is empty or ran out — a job left pending by a crashed instance
is picked up once its lease expires. Results are written only if the row is still the same
(a CV replaced meanwhile keeps its new pending summary; a deleted dossier stays deleted).
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from smart_interview_server.db import Database, affected_rows
from smart_interview_server.generation import extractive, prompts
from smart_interview_server.generation.providers import ChatProvider, ProviderError
from smart_interview_server.models import Cv, Dossier, utc_now

logger = logging.getLogger("smart_interview_server.generation")


class GenerationWorker:
    def __init__(
        self,
        *,
        database: Database,
        provider: ChatProvider | None,
        workers: int,
        lease_seconds: int,
        clock: Callable[[], datetime] = utc_now,
        housekeeping: Callable[[], None] | None = None,
    ) -> None:
        self._housekeeping = housekeeping
        self._db = database
        self._provider = provider
        self._lease = timedelta(seconds=lease_seconds)
        self._clock = clock
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="generation")
        self._stopping = threading.Event()
        self._sweeper = threading.Thread(target=self._sweep_loop, name="sweeper", daemon=True)
        self._sweep_interval = max(1.0, min(60.0, lease_seconds / 2))

    @property
    def summary_method(self) -> str:
        return self._provider.label if self._provider else extractive.SUMMARY_METHOD

    def local_summary(self, cv_text: str) -> str | None:
        """The summary made on the spot when no AI provider is configured, else None."""
        return extractive.summarise_cv(cv_text) if self._provider is None else None

    @property
    def match_method(self) -> str:
        return self._provider.label if self._provider else extractive.MATCH_METHOD

    def start(self) -> None:
        self._sweeper.start()

    def stop(self) -> None:
        self._stopping.set()
        self._executor.shutdown(wait=False, cancel_futures=True)

    def submit_summary(self, account_id: str, revision: int) -> None:
        self._submit(self._run_summary, account_id, revision)

    def submit_dossier(self, dossier_id: str) -> None:
        self._submit(self._run_dossier, dossier_id)

    def sweep(self) -> int:
        """Submit every pending job nobody holds a live lease on; returns how many."""
        now = self._clock()
        with self._db.reader() as session:
            summaries = session.execute(
                select(Cv.account_id, Cv.revision).where(
                    Cv.summary_status == "pending",
                    or_(Cv.summary_lease_until.is_(None), Cv.summary_lease_until < now),
                )
            ).all()
            dossiers = session.scalars(
                select(Dossier.id).where(
                    Dossier.status == "pending",
                    or_(Dossier.lease_until.is_(None), Dossier.lease_until < now),
                )
            ).all()
        for account_id, revision in summaries:
            self.submit_summary(account_id, revision)
        for dossier_id in dossiers:
            self.submit_dossier(dossier_id)
        return len(summaries) + len(dossiers)

    def _sweep_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                self.sweep()
                if self._housekeeping is not None:
                    self._housekeeping()
            except Exception as error:  # keep sweeping; the database may come back
                logger.warning("sweeping pending jobs failed: %s", type(error).__name__)
            self._stopping.wait(self._sweep_interval)

    def _submit(self, job: Callable[..., None], *args: object) -> None:
        if self._stopping.is_set():
            return
        # RuntimeError = shutting down; the sweeper of the next start picks the job up.
        with contextlib.suppress(RuntimeError):
            self._executor.submit(self._guarded, job, *args)

    def _guarded(self, job: Callable[..., None], *args: object) -> None:
        try:
            job(*args)
        except Exception as error:
            logger.error("generation job crashed: %s", type(error).__name__)

    # --- CV summary -------------------------------------------------------------------

    def _run_summary(self, account_id: str, revision: int) -> None:
        now = self._clock()
        with self._db.writer() as session:
            claimed = affected_rows(
                session.execute(
                    update(Cv)
                    .where(
                        Cv.account_id == account_id,
                        Cv.revision == revision,
                        Cv.summary_status == "pending",
                        or_(Cv.summary_lease_until.is_(None), Cv.summary_lease_until < now),
                    )
                    .values(summary_lease_until=now + self._lease)
                )
            )
            cv_text = (
                session.scalar(select(Cv.text).where(Cv.account_id == account_id))
                if claimed
                else None
            )
        if not cv_text:
            return
        status, text, error = "ready", None, None
        try:
            text = self._summarise(cv_text)
        except ProviderError as failure:
            status, error = "failed", failure.reason
        except Exception as failure:
            status, error = "failed", f"Internal error while summarising ({type(failure).__name__})"
        finally:
            del cv_text
        with self._db.writer() as session:
            session.execute(
                update(Cv)
                .where(Cv.account_id == account_id, Cv.revision == revision)
                .values(
                    summary_status=status,
                    summary_text=text,
                    summary_error=error,
                    summary_method=self.summary_method,
                    summary_updated_at=self._clock(),
                    summary_lease_until=None,
                )
            )
        logger.info("CV summary %s (method %s)", status, self.summary_method)

    def _summarise(self, cv_text: str) -> str:
        if self._provider is None:
            return extractive.summarise_cv(cv_text)
        return self._provider.complete(
            system=prompts.SUMMARY_SYSTEM,
            prompt=prompts.summary_prompt(cv_text),
            max_tokens=prompts.SUMMARY_MAX_TOKENS,
            want_json=False,
        ).strip()

    # --- dossier ----------------------------------------------------------------------

    def _run_dossier(self, dossier_id: str) -> None:
        now = self._clock()
        with self._db.writer() as session:
            claimed = affected_rows(
                session.execute(
                    update(Dossier)
                    .where(
                        Dossier.id == dossier_id,
                        Dossier.status == "pending",
                        or_(Dossier.lease_until.is_(None), Dossier.lease_until < now),
                    )
                    .values(lease_until=now + self._lease)
                )
            )
            row = (
                session.execute(
                    select(
                        Dossier.cv_snapshot,
                        Dossier.job_title,
                        Dossier.company,
                        Dossier.job_description,
                    ).where(Dossier.id == dossier_id)
                ).one_or_none()
                if claimed
                else None
            )
        if row is None:
            return
        values: dict[str, object] = {"status": "ready", "error": None}
        try:
            match_json, cover_letter = self._build_dossier(
                cv_text=row.cv_snapshot,
                job_title=row.job_title,
                company=row.company,
                job_description=row.job_description,
            )
            values.update(match_json=match_json, cover_letter=cover_letter)
        except ProviderError as failure:
            values.update(status="failed", error=failure.reason)
        except Exception as failure:
            values.update(
                status="failed",
                error=f"Internal error while building the dossier ({type(failure).__name__})",
            )
        with self._db.writer() as session:
            session.execute(
                update(Dossier)
                .where(Dossier.id == dossier_id)
                .values(
                    method=self.match_method, updated_at=self._clock(), lease_until=None, **values
                )
            )
        logger.info("dossier %s (method %s)", values["status"], self.match_method)

    def _build_dossier(
        self, *, cv_text: str, job_title: str, company: str, job_description: str
    ) -> tuple[str, str]:
        if self._provider is None:
            result = extractive.match_keywords(cv_text=cv_text, job_description=job_description)
            match = {
                "score": result.score,
                "matched": result.matched,
                "missing": result.missing,
                "summary": result.summary,
            }
            letter = extractive.cover_letter_template(
                job_title=job_title, company=company, match=result
            )
            return json.dumps(match), letter
        answer = self._provider.complete(
            system=prompts.DOSSIER_SYSTEM,
            prompt=prompts.dossier_prompt(
                cv_text=cv_text,
                job_title=job_title,
                company=company,
                job_description=job_description,
            ),
            max_tokens=prompts.DOSSIER_MAX_TOKENS,
            want_json=True,
        )
        parsed_match, letter = prompts.parse_dossier_answer(answer)
        return parsed_match.model_dump_json(), letter
