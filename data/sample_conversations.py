"""The sample's conversation export: support threads as a helpdesk exports them (JSONL, one
conversation per line, `messages` with roles), for the demo and tests.

Each thread opens with the customer's ticket as an e-mail or chat message (a greeting, their
name under a closing, sometimes a phone footer or the quoted auto-reply they answer), then an
agent reply, often a bot, sometimes a follow-up from the customer. Deterministic from the seed;
called by generate_sample.write_sample() through sample_extras.write_extras().
"""

import datetime as dt
import json
import os
import random

try:
    from . import generate_sample as G
    from . import phrasebook_common as PC
except ImportError:
    import generate_sample as G
    import phrasebook_common as PC

# Agent replies, names and follow-ups of the sample's own support team (not the benchmark's).
AGENT = {
    "en": ["Thanks for reaching out. I have raised this with the team and will update you here.",
           "Sorry about this. Could you confirm the order number so I can check?"],
    "id": ["Terima kasih sudah menghubungi kami, kami bantu cek dulu ya kak.",
           "Mohon maaf atas kendalanya kak, boleh dibantu nomor pesanannya?"],
    "th": ["ขอบคุณที่ติดต่อมาค่ะ แอดมินส่งเรื่องให้ทีมตรวจสอบแล้วนะคะ",
           "ขออภัยค่ะ รบกวนแจ้งหมายเลขคำสั่งซื้อเพื่อตรวจสอบค่ะ"],
    "vi": ["Cảm ơn bạn đã liên hệ, shop đã chuyển cho bộ phận liên quan kiểm tra ạ.",
           "Shop xin lỗi vì sự bất tiện, bạn gửi giúp mã đơn hàng nhé."],
    "ms": ["Terima kasih kerana menghubungi kami, kami sedang menyemak perkara ini.",
           "Maaf atas kesulitan, boleh berikan nombor pesanan?"],
    "tl": ["Salamat po sa pag-contact, ina-update na po namin ang team.",
           "Pasensya na po, pakibigay po ang order number para ma-check namin."],
    "es": ["Gracias por escribirnos, ya lo escalamos con el equipo.",
           "Disculpe las molestias, ¿nos confirma el número de pedido?"],
    "pt": ["Obrigado pelo contato, já encaminhamos para a equipe responsável.",
           "Desculpe o transtorno, pode confirmar o número do pedido?"],
    "zh": ["感谢您的反馈，已为您提交给相关同事处理。", "很抱歉给您带来不便，请提供一下订单号。"],
}  # fmt: skip
BOT = {
    "en": "You are chatting with our assistant. An agent will join shortly.",
    "id": "Kamu terhubung dengan asisten virtual. Agen kami akan segera bergabung.",
    "th": "คุณกำลังคุยกับผู้ช่วยอัตโนมัติ เจ้าหน้าที่จะเข้ามาในไม่ช้า",
    "vi": "Bạn đang trò chuyện với trợ lý tự động. Nhân viên sẽ vào ngay.",
    "ms": "Anda sedang berbual dengan pembantu automatik. Ejen akan menyertai sebentar lagi.",
    "tl": "Kausap mo ang aming assistant. Darating ang agent maya-maya.",
    "es": "Está hablando con nuestro asistente. Un agente se unirá en breve.",
    "pt": "Você está falando com nosso assistente. Um atendente entrará em breve.",
    "zh": "您好，我是智能助手，人工客服马上为您服务。",
}
NAMES = {
    "en": ["Emma Wilson", "Jason Ng", "Olivia"], "id": ["Rudi Hartono", "Lina"],
    "th": ["สุดา", "ธนพล"], "vi": ["Phạm Thu Hà", "Minh"], "ms": ["Nur Izzati", "Daniel Lee"],
    "tl": ["Rico Santos", "Mae"], "es": ["Lucía Fernández", "Mateo"],
    "pt": ["Gabriel Lima", "Júlia"], "zh": ["周杰", "林小雨"],
}  # fmt: skip
FOOTER = {"en": "Sent from my iPhone", "id": "Dikirim dari Samsung saya", "zh": "发自我的手机"}
FOLLOW = {
    "en": "Any news?", "id": "Kak, gimana?", "th": "ยังรออยู่นะคะ", "vi": "Shop ơi sao rồi?",
    "ms": "Ada berita?", "tl": "Update po?", "es": "¿Alguna novedad?", "pt": "Alguma novidade?",
    "zh": "请问有进展了吗？",
}  # fmt: skip
AUTO_REPLY = "We received your message (ref {ref}) and will reply within 2 working days."


def _customer_message(rng, t):
    lang = t["language"]
    parts = []
    if rng.random() < 0.6:
        parts.append(rng.choice(PC.OPENERS[lang]))
    body = f"{t['subject']}\n{t['description']}" if t["subject"] else t["description"]
    parts.append(body)
    name = None
    if rng.random() < 0.6:
        name = rng.choice(NAMES[lang])
        parts.append(f"{rng.choice(PC.CLOSERS[lang]).rstrip('.')}\n{name}")
    if lang in FOOTER and rng.random() < 0.3:
        parts.append(FOOTER[lang])
    if t["channel"] == "email" and rng.random() < 0.5:
        parts.append(
            "On Mon, 2 Jun 2026 at 09:12, Support <support@shop.example> wrote:\n> "
            + AUTO_REPLY.format(ref=rng.randint(100000, 999999))
        )
    return "\n\n".join(parts), name


def write_conversations(out, seed, n=400):
    rng = random.Random(f"{seed}-conversations")
    themes = list(G.THEME_ORDER)
    regions = list(PC.REGIONS)
    lines, truth, names = [], [], []
    for i in range(n):
        w = rng.randrange(G.WEEKS)
        theme = rng.choices(themes, [G.BASE_WEIGHT[t] * G.temporal(t, w) for t in themes])[0]
        region = rng.choices(regions, [PC.REGIONS[r]["share"] for r in regions])[0]
        day = G.START + dt.timedelta(weeks=w, days=rng.randrange(7))
        t = G.make_ticket(rng, theme, region, day)
        lang = t["language"]
        at = t["ts"]
        text, name = _customer_message(rng, t)
        messages = [{"role": "customer", "text": text, "created_at": at.isoformat()}]
        if t["channel"] == "chat" and rng.random() < 0.7:
            messages.append({"role": "bot", "text": BOT[lang]})
        at += dt.timedelta(minutes=rng.randint(5, 600))
        reply = rng.choice(AGENT[lang])
        messages.append({"role": "agent", "text": reply, "created_at": at.isoformat()})
        if rng.random() < 0.5:
            at += dt.timedelta(hours=rng.randint(5, 72))
            messages.append(
                {"role": "customer", "text": FOLLOW[lang], "created_at": at.isoformat()}
            )
        if rng.random() < 0.05:
            messages.append({"role": "supervisor", "text": "Merged into an older ticket."})
        tid = f"C-{i + 1:05d}"
        record = {
            "ticket_id": tid,
            "created_at": t["ts"].isoformat(),
            "kind": t["kind"],
            "region": region,
            "channel": t["channel"],
            "messages": messages,
        }
        lines.append(json.dumps(record, ensure_ascii=False))
        truth.append([tid, theme, lang])
        if name:
            names.append([tid, "name", name])
    with open(os.path.join(out, "conversations.jsonl"), "wb") as f:
        f.write(("\n".join(lines) + "\n").encode())
    with open(os.path.join(out, "conversations_truth.csv"), "wb") as f:
        f.write(G._csv_bytes(["ticket_id", "theme", "language"], truth))
    with open(os.path.join(out, "conversations_pii.csv"), "wb") as f:
        f.write(G._csv_bytes(["ticket_id", "pii_type", "value"], names))
