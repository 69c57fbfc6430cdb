"""Social-value commitments per contract and their deliveries over the contract's life.

A commitment belongs to a dashboard dataset by its id (``dataset_id``): parts talk through public functions, not
each other's models (ARCHITECTURE.md). ``measure`` is a code of the social-value framework in use.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Commitment(models.Model):
    """What a supplier promised to deliver on one contract, for one measure."""

    dataset_id = models.PositiveBigIntegerField(_("dataset"), db_index=True)
    contract_id = models.CharField(
        _("contract"), max_length=300, help_text=_("OCID and contract id, e.g. ocds-abc-1/C-1")
    )
    supplier_id = models.CharField(_("supplier identifier"), max_length=200, blank=True)
    supplier_name = models.CharField(_("supplier"), max_length=300)
    measure = models.CharField(_("measure"), max_length=100)
    quantity = models.FloatField(_("quantity committed"))
    due_date = models.DateField(_("due by"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name = _("social-value commitment")
        ordering: ClassVar[list[str]] = ["supplier_name", "contract_id", "measure"]

    def __str__(self) -> str:
        return f"{self.supplier_name}: {self.quantity:g} {self.measure} ({self.contract_id})"

    @property
    def delivered(self) -> float:
        """Return the quantity delivered so far."""
        return sum(d.quantity for d in self.deliveries.all())


class Delivery(models.Model):
    """What the supplier reported delivering against a commitment, on a date."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="deliveries")
    quantity = models.FloatField(_("quantity delivered"))
    date = models.DateField(_("date"))
    evidence = models.CharField(_("evidence"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("social-value delivery")
        verbose_name_plural = _("social-value deliveries")
        ordering: ClassVar[list[str]] = ["date"]

    def __str__(self) -> str:
        return f"{self.quantity:g} on {self.date}"
