"""The cleaner: what is removed before embedding, in many languages, and what must survive."""

from __future__ import annotations

import pytest

from insights.ingest.clean import clean, clean_turns, is_follow_up, segments
from insights.ingest.markup import html_to_text
from insights.ingest.pii import redact

BODY = "My parcel was marked delivered but I never got it."


def reasons(text: str) -> list[str]:
    return [s.reason for s in segments(text) if s.reason and s.text.strip()]


@pytest.mark.parametrize(
    "text",
    [
        # English e-mail: greeting, closing + name, footer, quoted agent macro
        f"Hi team,\n\n{BODY}\n\nThanks in advance,\nSarah\n\nSent from my iPhone\n\n"
        "On Mon, 3 Feb 2025 at 10:14, Customer Service <cs@shop.example> wrote:\n"
        "> We have escalated your case.\n> Please allow 3-5 business days.",
        # inline greeting, trailing thanks, Outlook header block without ">"
        f"Hello support, {BODY} Thank you.\n\n-----Original Message-----\n"
        "From: Support <cs@shop.example>\nSent: Monday, 3 February 2025 10:14\n"
        "To: me\nSubject: Your case\n\nWe are looking into it.",
        # signature after "-- ", disclaimer
        f"{BODY}\n\n-- \nJohn Tan\nACME Pte Ltd | +65 6123 4567\n",
        f"Dear Sir/Madam,\n{BODY}\nKind regards,\nPriya N.\n\nCONFIDENTIALITY NOTICE: This "
        "e-mail and any attachments are confidential and intended solely for the addressee.",
        # a forwarded block
        f"{BODY}\n\n---------- Forwarded message ---------\nFrom: Shop <cs@shop.example>\n"
        "Date: Tue, 11 Mar 2025\nSubject: Re: order\n\nThank you for your patience.",
        # an HTML reply read as text: the blockquote is a quote
        html_to_text(
            f"<div>Hi,</div><div>{BODY}</div><div class='gmail_quote'>On Tue, 11 Mar 2025 at "
            "09:00 Shop &lt;cs@shop.example&gt; wrote:<blockquote>We are on it.</blockquote></div>"
        ),
    ],
)
def test_english_wrapping_is_removed(text):
    assert clean(redact(text)) == BODY


@pytest.mark.parametrize(
    ("text", "body"),
    [
        (
            "您好，\n我的退款还没有到账，已经十天了。\n谢谢！\n王伟\n\n发自我的华为手机\n\n"
            "在 2025年2月3日 10:14，客服 <cs@shop.example> 写道：\n> 您的问题已提交。",
            "我的退款还没有到账，已经十天了。",
        ),
        (
            "Halo kak,\nPaket saya belum sampai padahal sudah 2 minggu.\nTerima kasih,\n"
            "Budi Santoso\n\nDikirim dari iPhone saya\n\nPada Sen, 3 Feb 2025 pukul 10.14, "
            "CS Toko <cs@shop.example> menulis:\n> Kami telah meneruskan kasus Anda.",
            "Paket saya belum sampai padahal sudah 2 minggu.",
        ),
        (
            "สวัสดีครับ ผมยังไม่ได้รับเงินคืนเลย\nขอบคุณครับ\nสมชาย\n\nส่งจาก iPhone ของฉัน",
            "ผมยังไม่ได้รับเงินคืนเลย",
        ),
        (
            "Chào shop,\nĐơn hàng của tôi chưa tới.\nCảm ơn,\nNguyễn Văn An\n\n"
            "Vào Th 2, 3 thg 2, 2025 lúc 10:14, CS <cs@shop.example> đã viết:\n> Đã nhận.",
            "Đơn hàng của tôi chưa tới.",
        ),
        (
            "Hola,\nNo me llegó el reembolso.\nSaludos,\nJuan Pérez\n\nEnviado desde mi iPhone\n\n"
            "El lun, 3 feb 2025 a las 10:14, Soporte <cs@shop.example> escribió:\n> Recibido.",
            "No me llegó el reembolso.",
        ),
        (
            "Olá,\nO reembolso não chegou.\nAtenciosamente,\nAna Souza\n\n"
            "Em seg., 3 de fev. de 2025 às 10:14, Suporte <cs@shop.example> escreveu:\n> Ok.",
            "O reembolso não chegou.",
        ),
        (
            "Bonjour,\nJe n'ai pas reçu mon colis.\nCordialement,\nMarie Dupont\n\n"
            "Le lun. 3 févr. 2025 à 10:14, Service Client <cs@shop.example> a écrit :\n> Reçu.",
            "Je n'ai pas reçu mon colis.",
        ),
        (
            "Hallo,\nMein Paket ist nicht angekommen.\nMit freundlichen Grüßen\nHans Müller\n\n"
            "Am Mo., 3. Feb. 2025 um 10:14 Uhr schrieb Support <cs@shop.example>:\n> Danke.",
            "Mein Paket ist nicht angekommen.",
        ),
        (
            "Здравствуйте,\nМой заказ не пришёл.\nС уважением,\nИван\n\n"
            "3 февр. 2025 г., в 10:14, Поддержка <cs@shop.example> написал(а):\n> Принято.",
            "Мой заказ не пришёл.",
        ),
        (
            "مرحبا،\nلم يصلني المبلغ المسترد.\nشكراً،\nأحمد علي\n\nأُرسلت من iPhone الخاص بي",
            "لم يصلني المبلغ المسترد.",
        ),
        ("안녕하세요\n환불이 아직 안 됐어요.\n감사합니다.\n김민수", "환불이 아직 안 됐어요."),
        (
            "お世話になっております。\n返金がまだです。\nよろしくお願いいたします。",
            "返金がまだです。",
        ),
        ("नमस्ते,\nमेरा रिफंड अभी तक नहीं आया।\nधन्यवाद,\nराहुल शर्मा", "मेरा रिफंड अभी तक नहीं आया।"),
        (
            "Magandang araw po,\nHindi pa dumating ang parcel ko.\nSalamat po,\nJuan dela Cruz",
            "Hindi pa dumating ang parcel ko.",
        ),
        (
            "Selamat pagi tuan/puan,\nBayaran balik belum diterima.\nTerima kasih,\nAhmad bin Ali",
            "Bayaran balik belum diterima.",
        ),
    ],
)
def test_other_languages(text, body):
    assert clean(redact(text)) == body


@pytest.mark.parametrize(
    "text",
    [
        "Thanks, but the refund still has not arrived and I want to escalate this now.",
        "malam ini paket saya belum datang juga",  # "malam" (evening) is no greeting here
        "My phone got a virus alert from your email, the app keeps asking for my card.",
        "Best price was promised, but I was charged twice.",
        "我亲自去了快递点，还是没有我的包裹。",  # 亲自 (in person) is not the greeting 亲
        "hai cái áo bị rách",  # Vietnamese "hai" = two
    ],
)
def test_content_that_looks_like_wrapping_survives(text):
    assert clean(text) == text


def test_content_paragraph_is_never_taken_for_a_disclaimer():
    text = (
        "Hi team,\n\nThe package shows returned to sender. Reply to [EMAIL] please. I never got "
        "it and the seller is not answering.\n\nThank you,\n[NAME]"
    )
    assert clean(text).startswith("The package shows returned to sender.")


def test_segments_join_back_to_the_text_and_are_deterministic():
    text = (
        f"Hi team,\n{BODY}\nThanks,\n[NAME]\n\nSent from my iPhone\n\n"
        "On Mon, 3 Feb 2025 at 10:14, CS <[EMAIL]> wrote:\n> Escalated."
    )
    pieces = segments(text)
    assert "".join(p.text for p in pieces) == text
    assert pieces == segments(text)
    assert reasons(text) == ["greeting", "closing", "signature", "footer", "quote"]


def test_only_a_quote_cleans_to_nothing():
    assert clean("On Mon, 3 Feb 2025 at 10:14, CS <[EMAIL]> wrote:\n> We escalated it.") == ""
    assert clean("> We escalated it.\n> Please wait.") == ""


def test_follow_ups_after_the_first_message_are_dropped_unless_nothing_else_is_left():
    assert is_follow_up("Any update?") and is_follow_up("还在等回复。")
    assert not is_follow_up("The courier says the parcel was returned to the warehouse.")
    assert clean_turns(["Hi", BODY, "Any update?", "Ada update kak?"]) == [None, BODY, None, None]
    assert clean_turns(["Any update?"]) == ["Any update?"]


@pytest.mark.parametrize(
    ("text", "body"),
    [
        # a Thai politeness particle written together with the addressee, on its own line
        ("สวัสดีครับทีมงาน\nยังไม่ได้รับเงินคืนเลย", "ยังไม่ได้รับเงินคืนเลย"),
        ("สวัสดีค่ะแอดมิน\nยังไม่ได้รับเงินคืนเลย", "ยังไม่ได้รับเงินคืนเลย"),
        # an abbreviated salutation ("Yth." = "Yang terhormat", dear) inline with the body
        ("Kepada Yth. Customer Service, Pesanan saya belum sampai.", "Pesanan saya belum sampai."),
        ("Yth. Bapak/Ibu, Pesanan saya belum sampai.", "Pesanan saya belum sampai."),
        ("Hi. My order is late.", "My order is late."),
    ],
)
def test_glued_particles_and_abbreviated_salutations(text, body):
    assert clean(text) == body
