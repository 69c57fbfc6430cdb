"""Forms: scenario assumptions (editable, prefilled with the example), commitments, deliveries and CSV import."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from civicbuy.analytics.impact import scenarios
from civicbuy.analytics.impact.social_value import MAX_QUANTITY, Framework

PERCENT: dict[str, Any] = {"min_value": 0, "max_value": 100, "required": False}


class ScenarioForm(forms.Form):
    """One set of fields per assumption of the example scenario, plus one EU GPP uptake of the user's choice."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = get_language() or "en"
        self.base = scenarios.load_scenario(language=language)
        for index, assumption in enumerate(self.base.assumptions):
            self.fields[f"a{index}_share"] = forms.FloatField(
                label=_("%(label)s: share of the spend it applies to (%%)") % {"label": assumption.label},
                initial=round(assumption.share * 100, 1), **PERCENT,
            )  # fmt: skip
            if assumption.type == "gpp_uptake":
                self.fields[f"a{index}_reduction"] = forms.FloatField(
                    label=_("%(label)s: emissions cut where the criteria apply (%%)") % {"label": assumption.label},
                    initial=round(assumption.reduction * 100, 1), **PERCENT,
                )  # fmt: skip
            elif assumption.factor_multiplier is not None:
                self.fields[f"a{index}_multiplier"] = forms.FloatField(
                    label=_("%(label)s: new emissions per unit of money, as %% of the old")
                    % {"label": assumption.label},
                    initial=round(assumption.factor_multiplier * 100, 1), **PERCENT,
                )  # fmt: skip
        groups = [("", _("None"))] + [(g.code, g.label(language)) for g in scenarios.gpp_groups().values()]
        self.fields["gpp_group"] = forms.ChoiceField(label=_("Also buy this EU GPP product group to the criteria"),
                                                     choices=groups, required=False)  # fmt: skip
        self.fields["gpp_uptake"] = forms.FloatField(label=_("Share of its spend (%)"), initial=50, **PERCENT)
        self.fields["gpp_reduction"] = forms.FloatField(
            label=_("Emissions cut on that spend (%)"), initial=20, **PERCENT
        )

    def scenario(self) -> scenarios.Scenario:
        """Return the scenario the (valid) form describes."""
        data = self.cleaned_data
        assumptions = []
        for index, assumption in enumerate(self.base.assumptions):
            share = data.get(f"a{index}_share")
            values: dict[str, Any] = {"share": assumption.share if share is None else share / 100}
            if assumption.type == "gpp_uptake":
                reduction = data.get(f"a{index}_reduction")
                values = {"share": values["share"],
                          "reduction": assumption.reduction if reduction is None else reduction / 100}  # fmt: skip
            elif assumption.factor_multiplier is not None:
                multiplier = data.get(f"a{index}_multiplier")
                values["factor_multiplier"] = assumption.factor_multiplier if multiplier is None else multiplier / 100
            assumptions.append(scenarios.Assumption(**{**assumption.__dict__, **values}))
        if data.get("gpp_group"):
            group = scenarios.gpp_groups()[data["gpp_group"]]
            assumptions.append(
                scenarios.Assumption(
                    "gpp_uptake",
                    scenarios.gpp_label(group, get_language() or "en"),
                    group.cpv,
                    (data.get("gpp_uptake") or 0) / 100,
                    reduction=(data.get("gpp_reduction") or 0) / 100,
                    product_group=group.code,
                )
            )
        return scenarios.Scenario(str(_("Your scenario")), tuple(assumptions))


class CommitmentForm(forms.Form):
    """A supplier's commitment on a contract, for one measure of the framework."""

    contract_id = forms.CharField(label=_("Contract (OCID/contract id)"), max_length=300)
    supplier_name = forms.CharField(label=_("Supplier"), max_length=300)
    supplier_id = forms.CharField(label=_("Supplier identifier (optional)"), max_length=200, required=False)
    measure = forms.ChoiceField(label=_("Measure"))
    quantity = forms.FloatField(label=_("Quantity committed"), min_value=0, max_value=MAX_QUANTITY)
    due_date = forms.DateField(label=_("Due by (YYYY-MM-DD, optional)"), required=False)

    def __init__(self, *args: Any, framework: Framework, language: str = "en", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = [  # type: ignore[attr-defined]
            (m.code, f"{framework.themes[m.theme].label(language)}: {m.label(language)} ({m.unit(language)})")
            for m in framework.measures.values()
        ]


class DeliveryForm(forms.Form):
    """A delivery reported against a commitment."""

    quantity = forms.FloatField(label=_("Quantity delivered"), min_value=0, max_value=MAX_QUANTITY)
    date = forms.DateField(label=_("Date (YYYY-MM-DD)"))
    evidence = forms.CharField(label=_("Evidence (optional)"), max_length=500, required=False)


class ImportForm(forms.Form):
    """A commitments CSV: contract_id, supplier_id, supplier_name, measure, quantity, due_date."""

    file = forms.FileField(label=_("Commitments CSV file"))
