"""The dashboard's public read functions: who sees which dataset, and the assessment's evidence hook."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from civicbuy.accounts.models import Organisation
from civicbuy.dashboard import queries
from civicbuy.dashboard.models import Dataset
from civicbuy.dashboard.summary import ALL, Filters


def test_members_see_their_datasets_and_others_do_not(ready_dataset: Dataset, member: Any, outsider: Any) -> None:
    assert list(queries.visible_datasets(member)) == [ready_dataset]
    assert list(queries.visible_datasets(outsider)) == []
    assert list(queries.visible_datasets(AnonymousUser())) == []
    assert queries.get_visible_dataset(member, ready_dataset.pk) == ready_dataset
    with pytest.raises(Http404):
        queries.get_visible_dataset(outsider, ready_dataset.pk)


def test_a_public_dataset_is_visible_to_everyone(ready_dataset: Dataset, outsider: Any) -> None:
    ready_dataset.public = True
    ready_dataset.save()
    assert ready_dataset in queries.visible_datasets(AnonymousUser())
    assert queries.get_visible_dataset(outsider, ready_dataset.pk) == ready_dataset


def test_superusers_see_every_organisation(ready_dataset: Dataset, django_user_model: Any) -> None:
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "a-long-password-for-tests")
    assert queries.get_visible_dataset(admin, ready_dataset.pk) == ready_dataset


def test_latest_dataset_is_the_users_own_and_ready(ready_dataset: Dataset, member: Any, outsider: Any) -> None:
    Dataset.objects.create(organisation=ready_dataset.organisation, name="Empty", slug="empty")
    assert queries.latest_dataset(member) == ready_dataset
    assert queries.latest_dataset(outsider) is None


def test_dataset_path_is_the_engines_dataset(ready_dataset: Dataset) -> None:
    path = queries.dataset_path(ready_dataset)
    assert (path / "manifest.json").is_file()
    assert (path / "processes.parquet").is_file()
    empty = Dataset.objects.create(organisation=ready_dataset.organisation, name="Empty", slug="empty")
    with pytest.raises(ValueError, match="no ingested data"):
        queries.dataset_path(empty)


def test_measured_figure_reads_the_latest_dataset(ready_dataset: Dataset, member: Any, outsider: Any) -> None:
    figures = queries.dataset_summary(ready_dataset)
    expected = figures.indicator_values(ALL)[("competition.single_bid_rate", "dataset", "dataset")]
    flag = figures.flag_rates(Filters())["R003"]
    figures.close()
    assert queries.measured_figure(member, "competition.single_bid_rate") == pytest.approx(expected)
    assert queries.measured_figure(member, "R003") == pytest.approx(flag.flagged / flag.applicable)
    assert queries.measured_figure(member, "no.such_indicator") is None
    assert queries.measured_figure(outsider, "competition.single_bid_rate") is None


def test_an_organisation_is_not_a_member_of_another(ready_dataset: Dataset) -> None:
    other = Organisation.objects.create(name="Elsewhere", slug="elsewhere")
    assert not Dataset.objects.filter(organisation=other).exists()
