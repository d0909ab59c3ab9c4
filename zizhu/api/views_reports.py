"""资金填报进展 and 资金收支汇总 as JSON: the pages' own report builders (the same scope,
defaults and figures), each number as the page shows it."""

from datetime import date
from decimal import Decimal

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from zizhu.api.base import ApiView
from zizhu.catalogue.models import Category
from zizhu.fundreports import progress
from zizhu.fundreports.progress_views import progress_request
from zizhu.fundreports.summary_report import build, table_keys
from zizhu.fundreports.summary_views import summary_request

REPORT_PARAMETERS = [
    OpenApiParameter(
        "category", str, OpenApiParameter.PATH, enum=Category.values, description="资助类别"
    ),
    OpenApiParameter("year", int, description="使用年度（默认：有数据的最近年度）"),
    OpenApiParameter("project", int, description="资助项目编号（默认同页面）"),
    OpenApiParameter("unit", str, description="查看此单位（须在辖区内；默认本单位）"),
]


class CountsSerializer(serializers.Serializer):
    expected = serializers.IntegerField(help_text="应填报")
    filed = serializers.IntegerField(help_text="已填报")
    on_time = serializers.IntegerField(help_text="按时填报")
    late = serializers.IntegerField(help_text="逾期填报")
    not_filed = serializers.IntegerField(help_text="未填报")
    percent = serializers.DecimalField(
        max_digits=6, decimal_places=2, allow_null=True, help_text="填报率（%）"
    )


class ProgressRowSerializer(serializers.Serializer):
    unit = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    counts = CountsSerializer()


class ProgressSerializer(serializers.Serializer):
    category = serializers.CharField()
    year = serializers.IntegerField()
    project = serializers.CharField(allow_null=True, help_text="资助项目代码")
    unit = serializers.CharField()
    rows = ProgressRowSerializer(many=True, help_text="各直接下级单位")
    total = CountsSerializer()


def _counts(counts: progress.Counts) -> dict:
    return {
        "expected": counts.expected,
        "filed": counts.filed,
        "on_time": counts.on_time,
        "late": counts.late,
        "not_filed": counts.not_filed,
        "percent": counts.percent,
    }


@extend_schema(
    tags=["报表"],
    summary="资金填报进展",
    description="与“资金填报进展”页面相同的数字：各直接下级单位的应填、已填、按时、逾期、未填。",
    parameters=REPORT_PARAMETERS,
    responses=ProgressSerializer,
)
class ProgressReport(ApiView):
    def get(self, request, category: str):
        report = progress_request(request, category)
        data = {
            "category": str(report.category),
            "year": report.year,
            "project": report.project.code if report.project else None,
            "unit": report.node.code,
            "rows": [
                {
                    "unit": row.unit.code,
                    "name": row.unit.name,
                    "level": row.unit.level,
                    "counts": _counts(row.counts),
                }
                for row in report.rows
            ],
            "total": _counts(progress.totals(report.rows)),
        }
        return Response(ProgressSerializer(data).data)


def cell(value):
    """A table cell as JSON: amounts as decimal strings (exact), counts as integers."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class SummaryRowSerializer(serializers.Serializer):
    cells = serializers.ListField(child=serializers.JSONField(), help_text="各列的值")
    unit = serializers.CharField(allow_null=True, help_text="可下钻的下级单位代码")
    total = serializers.BooleanField(help_text="是否合计行")


class SummaryTableSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    header = serializers.ListField(child=serializers.CharField())
    rows = SummaryRowSerializer(many=True)
    note = serializers.CharField(allow_blank=True)


class SummarySerializer(serializers.Serializer):
    category = serializers.CharField()
    year = serializers.IntegerField()
    project = serializers.CharField(allow_null=True)
    unit = serializers.CharField()
    tables = SummaryTableSerializer(many=True)


@extend_schema(
    tags=["报表"],
    summary="资金收支汇总",
    description="与“资金收支汇总”页面相同的各张表；金额为保留两位小数的字符串。",
    parameters=REPORT_PARAMETERS,
    responses=SummarySerializer,
)
class SummaryReport(ApiView):
    def get(self, request, category: str):
        scope, _form = summary_request(request, category)
        tables = [build(scope, key) for key in table_keys(scope)]
        data = {
            "category": str(scope.category),
            "year": scope.year,
            "project": scope.project.code if scope.project else None,
            "unit": scope.node.code,
            "tables": [
                {
                    "key": table.key,
                    "title": str(table.title),
                    "header": [str(h) for h in table.header],
                    "rows": [
                        {
                            "cells": [cell(c) for c in row.cells],
                            "unit": row.unit.code if row.unit else None,
                            "total": row.total,
                        }
                        for row in table.rows
                    ],
                    "note": str(table.note),
                }
                for table in tables
            ],
        }
        return Response(SummarySerializer(data).data)
