"""Names in salutations, closings, signatures and reply headers are redacted like e-mails."""

from __future__ import annotations

import pytest

from insights.ingest.pii import redact


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("Dear Sarah,\nMy refund is late.", "Sarah"),
        ("My refund is late.\nRegards, John Tan", "John"),
        ("My refund is late.\nKind regards,\nPriya N.", "Priya"),
        ("李静您好\n我的退款还没到。", "李静"),
        ("尊敬的王伟：\n我的退款还没到。", "王伟"),
        ("เรียนคุณสมชาย\nยังไม่ได้รับเงินคืน", "สมชาย"),
        ("ยังไม่ได้รับเงินคืน\nขอบคุณค่ะ\nสมศรี", "สมศรี"),
        ("Halo kak,\nPaket belum sampai.\nTerima kasih,\nBudi Santoso", "Budi"),
        ("Hindi pa dumating.\nMaraming salamat po,\nJuan dela Cruz", "Cruz"),
        ("Paket belum sampai.\nTerima kasih atas bantuan, Siti Aminah", "Siti"),
        ("مرحبا أحمد،\nلم يصل الطلب.", "أحمد"),
        ("لم يصل الطلب.\nشكراً،\nفاطمة حسن", "فاطمة"),
        ("山田様\n返金がまだです。", "山田"),
        ("김민수님 안녕하세요\n환불이 안 됐어요.", "김민수"),
        (
            "Still broken.\n\nOn Mon, 3 Feb 2025 at 10:14, Maria Lopez <[EMAIL]> wrote:\n> Hi",
            "Maria",
        ),
        ("Hola, no llegó.\nSaludos,\nDiego", "Diego"),
    ],
)
def test_names_are_redacted(text, gone):
    out = redact(text)
    assert gone not in out and "[NAME]" in out


@pytest.mark.parametrize(
    "text",
    [
        "Hi team,\nMy refund is late.",
        "Dear Customer Service,\nMy refund is late.",
        "客服您好\n我的退款还没到。",
        "My refund is late.\nThanks for the quick help on the other order",
        "Hello Kitty bag not delivered.\nThanks",
        "สวัสดีค่ะ ฉันสั่งของไปแล้วยังไม่ได้รับ",
        "ขอบคุณค่ะ ของได้รับแล้ว",  # a single message that opens with thanks has no signature
        "I bought a Samsung Galaxy.\nBest,\nSamsung Galaxy S21 owner",
    ],
)
def test_addressees_and_content_are_kept(text):
    assert "[NAME]" not in redact(text)
