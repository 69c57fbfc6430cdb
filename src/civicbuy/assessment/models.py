"""Saved self-assessments: an organisation's run, its departments' answers, targets and snapshots.

No account is needed: an assessment is reached through its resume link, which carries a long random
token (``secrets.token_urlsafe``, 256 bits). Whoever holds the link can continue, so the link is the
credential; it is never shown in lists, and it stops working after :data:`RESUME_LINK_LIFETIME`
without use. Answers are stored as checked JSON (see :func:`civicbuy.assessment.scoring.parse_answers`)
so that a model update never breaks an old assessment.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicbuy.assessment.model import MaturityModel, default_model
from civicbuy.assessment.scoring import AssessmentResult, RolledUpScore, parse_answers, roll_up, score

if TYPE_CHECKING:
    from civicbuy.assessment.scoring import Answer

RESUME_LINK_LIFETIME = timedelta(days=400)
TOKEN_BYTES = 32


def new_token() -> str:
    """Return a fresh, unguessable resume token (43 URL-safe characters)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


class AssessmentQuerySet(models.QuerySet["Assessment"]):
    """Queries over assessments with intention-revealing names."""

    def live(self) -> AssessmentQuerySet:
        """Assessments whose resume link still works."""
        return self.filter(last_used__gte=timezone.now() - RESUME_LINK_LIFETIME)

    def sharing_benchmark(self) -> AssessmentQuerySet:
        """Assessments whose organisation opted in to the anonymised peer benchmark."""
        return self.filter(share_benchmark=True)


class Assessment(models.Model):
    """One organisation's self-assessment, reached by its resume link; holds targets and departments."""

    token = models.CharField(_("resume token"), max_length=64, unique=True, default=new_token, editable=False)
    organisation = models.CharField(_("organisation"), max_length=200)
    language = models.CharField(_("language"), max_length=8, default="en")
    model_version = models.PositiveSmallIntegerField(_("model version"), default=1)
    targets = models.JSONField(_("target levels"), default=dict, blank=True)
    share_benchmark = models.BooleanField(_("share anonymised levels with peers"), default=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    last_used = models.DateTimeField(_("last used"), default=timezone.now)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ("-created",)

    def __str__(self) -> str:
        return self.organisation

    @property
    def expired(self) -> bool:
        """True when the resume link has not been used for longer than its lifetime."""
        return self.last_used < timezone.now() - RESUME_LINK_LIFETIME

    @property
    def expires(self) -> Any:
        """When the resume link stops working if it is not used again."""
        return self.last_used + RESUME_LINK_LIFETIME

    def touch(self) -> None:
        """Record a use of the resume link (keeps it alive)."""
        self.last_used = timezone.now()
        Assessment.objects.filter(pk=self.pk).update(last_used=self.last_used)

    def department_results(self, model: MaturityModel | None = None) -> dict[str, AssessmentResult]:
        """Scored results per department name, in creation order."""
        model = model or default_model()
        return {d.name: d.result(model) for d in self.departments.all()}

    def roll_up(self, model: MaturityModel | None = None) -> dict[str, RolledUpScore]:
        """The organisation's level per dimension across its departments (median, with spread)."""
        model = model or default_model()
        return roll_up(model, self.department_results(model))


class Department(models.Model):
    """The answers of one department (or of the whole organisation when it answers as one)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="departments")
    name = models.CharField(_("department"), max_length=120)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ("created", "pk")
        constraints = (
            models.UniqueConstraint(fields=("assessment", "name"), name="assessment_department_unique_name"),
        )

    def __str__(self) -> str:
        return self.name

    def checked_answers(self, model: MaturityModel | None = None) -> dict[str, Answer]:
        """Stored answers, re-checked against the current model; answers to retired questions are dropped."""
        model = model or default_model()
        known = {q.id for q in model.questions}
        return parse_answers(model, {k: v for k, v in self.answers.items() if k in known})

    def result(self, model: MaturityModel | None = None) -> AssessmentResult:
        """This department's level per dimension."""
        model = model or default_model()
        return score(model, self.checked_answers(model))


class Snapshot(models.Model):
    """The organisation's levels saved at a moment, so repeat assessments show progress over time."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="snapshots")
    created = models.DateTimeField(_("saved"), default=timezone.now)
    model_version = models.PositiveSmallIntegerField(_("model version"), default=1)
    levels = models.JSONField(_("organisation levels"), default=dict)
    department_levels = models.JSONField(_("department levels"), default=dict)

    class Meta:
        verbose_name = _("snapshot")
        verbose_name_plural = _("snapshots")
        ordering = ("-created", "-pk")

    def __str__(self) -> str:
        return f"{self.assessment} {self.created:%Y-%m-%d}"
