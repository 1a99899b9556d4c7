"""Conversions between Python dates and Qt's (typed, so mypy checks the callers)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QDateTime, QTime


def qdate(value: dt.date) -> QDate:
    return QDate(value.year, value.month, value.day)


def qdatetime(value: dt.datetime) -> QDateTime:
    return QDateTime(qdate(value), QTime(value.hour, value.minute, value.second))


def pydate(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


def pydatetime(value: QDateTime) -> dt.datetime:
    time = value.time()
    return dt.datetime.combine(pydate(value.date()), dt.time(time.hour(), time.minute()))
