"""Words that open and close messages, and cues of footers, disclaimers and quoted replies, in
the languages the detector knows (en id ms th vi tl es pt zh ar ja ko hi fr de ru).

The cleaner and the name redactor use these only at the places where such words stand in a
message (its first and last lines, a line ending in a colon); the middle of a message is never
matched against them. What this list misses is caught from the data by `boilerplate`.
"""

from __future__ import annotations

import re

# fmt: off
#: Words and phrases a message opens with (lower case; matched at the start of a line).
GREETINGS: tuple[str, ...] = (
    # en
    "hi", "hello", "hey", "heya", "hiya", "dear", "greetings", "good morning", "good afternoon",
    "good evening", "good day", "morning", "to whom it may concern", "howdy", "yo",
    # id / ms
    "halo", "hallo", "helo", "hai", "selamat pagi", "selamat siang", "selamat sore",
    "selamat malam", "selamat petang", "selamat tengah hari", "selamat sejahtera", "permisi",
    "assalamualaikum", "assalamu'alaikum", "salam sejahtera", "kepada yth", "yth", "dengan hormat",
    "salam", "pagi", "siang", "sore", "malam",
    # th
    "สวัสดี", "เรียน", "ถึง", "ฮัลโหล",
    # vi
    "xin chào", "chào", "kính gửi", "kính chào", "alo", "dạ chào",
    # tl
    "magandang umaga", "magandang hapon", "magandang gabi", "magandang araw", "kumusta",
    "musta", "good day po", "hello po", "hi po",
    # es
    "hola", "buenos días", "buenos dias", "buenas tardes", "buenas noches", "buen día",
    "buen dia", "estimado", "estimada", "estimados", "estimadas", "a quien corresponda",
    "saludos",
    # pt
    "olá", "ola", "oi", "bom dia", "boa tarde", "boa noite", "prezado", "prezada", "prezados",
    "prezadas", "caro", "cara",
    # zh
    "您好", "你好", "您们好", "你们好", "大家好", "各位好", "嗨", "哈喽", "哈啰", "尊敬的", "早上好",
    "下午好", "晚上好", "亲爱的", "亲",
    # ar
    "مرحبا", "مرحباً", "السلام عليكم", "أهلا", "اهلا", "أهلاً", "عزيزي", "عزيزتي",
    "صباح الخير", "مساء الخير", "تحية طيبة", "تحية طيبة وبعد", "إلى", "الى", "السادة",
    # ja
    "こんにちは", "こんばんは", "おはようございます", "お世話になっております",
    "いつもお世話になっております", "お世話になります", "はじめまして", "拝啓",
    # ko
    "안녕하세요", "안녕하십니까", "수고하십니다", "수고 많으십니다",
    # hi
    "नमस्ते", "नमस्कार", "प्रिय", "हैलो", "हेलो", "सुप्रभात", "आदरणीय",
    # fr
    "bonjour", "bonsoir", "salut", "cher", "chère", "chers", "madame, monsieur",
    "madame", "monsieur",
    # de
    "hallo zusammen", "guten tag", "guten morgen", "guten abend", "liebe", "lieber",
    "sehr geehrte", "sehr geehrter", "sehr geehrte damen und herren", "servus", "moin",
    # ru
    "здравствуйте", "добрый день", "добрый вечер", "доброе утро", "привет", "уважаемый",
    "уважаемая", "уважаемые",
)

#: Words and phrases a message closes with (lower case; matched at the start of a line near
#: the end, or as a whole last sentence).
CLOSINGS: tuple[str, ...] = (
    # en
    "thanks", "thank you", "thankyou", "thx", "tks", "ty", "many thanks", "thanks a lot",
    "thanks in advance", "thank you in advance", "regards", "best regards", "kind regards",
    "warm regards", "warmest regards", "best wishes", "best", "all the best", "cheers",
    "sincerely", "yours sincerely", "yours faithfully", "yours truly", "respectfully",
    "appreciate it", "appreciate your help", "much appreciated", "br", "rgds", "god bless",
    "looking forward to your reply", "looking forward to hearing from you",
    "have a nice day", "have a good day", "take care",
    # id / ms
    "terima kasih", "terimakasih", "makasih", "trims", "tq", "tqvm", "hormat saya",
    "salam hormat", "wassalam", "wassalamualaikum", "sekian", "sekian terima kasih",
    "yang benar", "ribuan terima kasih", "mohon bantuannya", "ditunggu kabarnya",
    "ditunggu balasannya", "terima kasih banyak",
    # th
    "ขอบคุณ", "ขอบใจ", "ด้วยความเคารพ", "รบกวนด้วย", "ขอแสดงความนับถือ",
    # vi
    "cảm ơn", "cám ơn", "xin cảm ơn", "trân trọng", "thân ái", "thân", "chân thành cảm ơn",
    # tl
    "salamat", "maraming salamat", "salamat po", "lubos na gumagalang", "saludos", "salam",
    "ขอบพระคุณ", "万分感谢", "非常感谢", "再次感谢", "十分感谢",
    # es
    "gracias", "muchas gracias", "mil gracias", "saludos cordiales", "un saludo",
    "atentamente", "cordialmente", "quedo atento", "quedo atenta", "quedo a la espera",
    "de antemano gracias", "gracias de antemano", "un abrazo",
    # pt
    "obrigado", "obrigada", "muito obrigado", "muito obrigada", "grato", "grata",
    "atenciosamente", "abraços", "abraço", "abs", "att", "cumprimentos", "desde já agradeço",
    "fico no aguardo", "aguardo retorno",
    # zh
    "谢谢", "謝謝", "多谢", "多謝", "感谢", "感謝", "此致", "敬礼", "敬禮", "祝好",
    "顺祝商祺", "順祝商祺", "麻烦了", "麻煩了", "辛苦了", "盼复", "盼回复",
    # ar
    "شكرا", "شكراً", "وشكرا", "مع التحية", "مع خالص التحية", "تحياتي", "مع الشكر",
    "وتفضلوا بقبول فائق الاحترام", "مع أطيب التحيات", "مع خالص الشكر", "مع الشكر والتقدير",
    "مع فائق الاحترام", "جزاكم الله خيرا", "ألف شكر", "الف شكر", "تقبلوا تحياتي",
    "تقبلوا فائق الاحترام", "شكرا جزيلا", "شكراً جزيلاً",
    # ja
    "よろしくお願いします", "よろしくお願いいたします", "宜しくお願いします",
    "宜しくお願い致します", "よろしくお願い致します", "ありがとうございます", "敬具", "以上",
    # ko
    "감사합니다", "고맙습니다", "수고하세요", "잘 부탁드립니다", "부탁드립니다",
    # hi
    "धन्यवाद", "शुक्रिया", "सादर", "भवदीय", "आपका आभारी",
    # fr
    "merci", "merci beaucoup", "merci d'avance", "cordialement", "bien cordialement",
    "salutations", "sincères salutations", "bien à vous", "bonne journée", "amicalement",
    # de
    "danke", "vielen dank", "danke schön", "mit freundlichen grüßen", "mit freundlichen grüssen",
    "freundliche grüße", "viele grüße", "beste grüße", "liebe grüße", "grüße", "gruß", "mfg",
    "lg", "vg",
    # ru
    "спасибо", "с уважением", "заранее спасибо", "благодарю", "всего доброго",
    "большое спасибо",
)

#: Who a message is addressed to when it is not a person (never redacted as a name).
ADDRESSEES: frozenset[str] = frozenset(
    ["team", "teams", "all", "everyone", "everybody", "there", "folks", "guys", "sir", "sirs", "madam", "madams", "mam", "maam", "ma'am", "sir/madam", "sir/ma'am", "support", "customer", "customers", "service", "services", "care", "cs", "help", "helpdesk", "desk", "admin", "admins", "agent", "agents", "seller", "sellers", "shop", "store", "merchant", "officer", "officers", "staff", "department", "manager", "managers", "concern", "colleagues", "friend", "friends", "partner", "partners", "kak", "ka", "kakak", "min", "mimin", "gan", "agan", "bro", "sis", "bang", "mas", "mbak", "om", "tante", "bapak", "ibu", "pak", "bu", "tuan", "puan", "encik", "cik", "admin-nya", "ad", "shop-nya", "anh", "chị", "em", "bạn", "ạ", "po", "opo", "ate", "kuya", "señor", "señora", "señores", "señoras", "equipo", "soporte", "atención", "cliente", "clientes", "senhor", "senhora", "senhores", "equipe", "suporte", "atendimento", "monsieur", "madame", "messieurs", "mesdames", "équipe", "service", "herr", "frau", "damen", "herren", "team-mitglieder", "support-team", "kundenservice", "команда", "поддержка", "служба", "bộ", "phận", "hỗ", "trợ", "quý", "công", "ty", "cskh", "servicio", "al", "de", "do", "da", "ao", "pessoal", "galera", "pihak", "khidmat", "pelanggan", "客服", "卖家", "賣家", "商家", "店家", "亲", "親", "老板", "老闆", "小二", "掌柜", "แอดมิน", "ทีมงาน", "เจ้าหน้าที่", "ทีม", "ฝ่าย", "พี่", "น้อง"]
)

#: How a Thai addressee phrase begins ("ทีมซัพพอร์ต", "ฝ่ายบริการลูกค้า", "คุณ...").
THAI_ADDRESSEE_PREFIXES: tuple[str, ...] = (
    "ทีม", "ฝ่าย", "เจ้าหน้าที่", "แอดมิน", "แอด", "คุณ", "ผู้ดูแล", "บริษัท",
)

#: Lower-case parts of names ("Juan dela Cruz", "Ahmad bin Ali", "Ludwig van Beethoven").
NAME_PARTICLES: frozenset[str] = frozenset(
    ["de", "da", "do", "dos", "das", "del", "dela", "della", "di", "van", "von", "der", "den", "bin", "binti", "bte", "al", "el", "la", "le", "y", "e"]
)

#: Particles of politeness that trail greetings and closings ("Halo kak", "ขอบคุณค่ะ", "ạ").
PARTICLES: frozenset[str] = frozenset(
    ["po", "ạ", "nhé", "nha", "nhá", "ya", "yah", "yaa", "ya2", "kak", "ka", "min", "gan", "sis", "bro", "ya,", "lah", "ครับ", "ค่ะ", "คะ", "ครับผม", "นะคะ", "นะครับ", "จ้า", "จ้ะ", "ka", "krub", "krap", "na"]
)

#: Device and mail-app names that "Sent from my ..." footers carry, in every language.
DEVICE_WORDS: tuple[str, ...] = (
    "iphone", "ipad", "android", "samsung", "galaxy", "huawei", "xiaomi", "redmi", "oppo",
    "vivo", "realme", "pixel", "oneplus", "honor", "nokia", "motorola", "blackberry",
    "outlook", "gmail", "yahoo", "aol mail", "proton mail", "protonmail", "mail for windows",
    "thunderbird", "smartphone", "mobile", "tablet", "airmail", "spark", "icloud",
    "手机", "手機", "移动设备", "スマートフォン", "携帯", "휴대폰", "스마트폰", "มือถือ",
    "điện thoại", "ponsel", "hp saya", "telefon", "celular", "telemóvel", "телефон",
    "смартфон", "هاتف", "جوال", "موبايل", "آيفون", "فون", "फोन", "फ़ोन", "โทรศัพท์",
    "telepono", "cellphone", "handphone",
)

#: Words that mark a legal or confidentiality notice.
DISCLAIMER_CUES: tuple[str, ...] = (
    "confidential", "confidentiality", "intended recipient", "intended solely", "privileged",
    "disclaimer", "if you have received this",
    "rahasia", "kerahasiaan", "penerima yang dimaksud", "sulit dan", "rahsia",
    "ความลับ", "ผู้รับที่", "bảo mật", "người nhận", "kumpidensyal",
    "confidencial", "destinatario", "destinatário", "sigilo", "sigiloso",
    "保密", "机密", "機密", "免责", "免責", "收件人", "秘密", "宛先", "기밀", "비밀", "수신인",
    "سري", "سرية", "المرسل إليه", "المقصود", "गोपनीय", "प्राप्तकर्ता",
    "confidentiel", "destinataire", "vertraulich", "empfänger", "конфиденциальн", "получател",
)

#: Words of virus-scan, print and liability notices: two of them make a notice.
DISCLAIMER_WEAK_CUES: tuple[str, ...] = (
    "virus", "scanned", "malware", "environment", "print", "unauthori", "prohibited",
    "views expressed", "opinions expressed", "e-mail", "email", "this message",
    "lingkungan", "cetak", "dipindai", "pandangan", "e-mel", "alam sekitar", "diimbas",
    "สิ่งแวดล้อม", "พิมพ์", "ไวรัส", "อีเมล", "môi trường", "in email", "quét", "quan điểm",
    "medio ambiente", "imprimir", "correo", "opiniones", "meio ambiente", "vírus", "mensagem",
    "opiniões", "环境", "打印", "病毒", "扫描", "邮件", "观点", "البيئة", "طباعة", "فيروس",
    "البريد", "الآراء", "الرسالة", "environnement", "imprimer", "umwelt", "drucken", "окружающ",
    "печат", "вирус", "ipinagbabawal", "pananaw", "sender", "pengirim", "penghantar",
    "ผู้ส่ง", "ความคิดเห็น", "người gửi", "remitente", "remetente", "发件人", "發件人",
    "المرسل", "expéditeur", "absender", "отправител", "nagpadala", "tanggung jawab",
    "responsab", "liability", "dilarang", "pesan ini", "mesej ini", "ห้าม", "nghiêm cấm",
    "prohibid", "proibid", "禁止", "يمنع", "interdit", "verboten", "запрещ", "bawal",
    "dilindungi", "protected", "protegid", "保护", "محمية",
)

#: Verbs of the line that introduces a quoted earlier message ("On ... wrote:").
WROTE_WORDS: tuple[str, ...] = (
    "wrote", "a écrit", "escribió", "escreveu", "schrieb", "написал", "написала", "menulis",
    "menulis:", "schreef", "skrev", "scrisse", "ha scritto", "写道", "寫道", "เขียน", "viết",
    "sumulat", "kirjoitti", "كتب", "लिखा", "작성", "書きました", "のメッセージ", "napisał",
)

#: Words of the line that introduces a forwarded message.
FORWARD_WORDS: tuple[str, ...] = (
    "forwarded", "original message", "weitergeleitet", "ursprüngliche nachricht", "reenviado",
    "mensaje original", "encaminhad", "mensagem original", "message transféré",
    "message d'origine", "diteruskan", "pesan asli", "pesan terusan", "mesej asal",
    "转发", "轉寄", "原始邮件", "原始郵件", "ส่งต่อ", "ข้อความต้นฉบับ", "chuyển tiếp",
    "thư gốc", "пересылаемое", "исходное сообщение", "転送", "元のメッセージ", "전달된",
    "원본 메시지", "अग्रेषित", "الرسالة الأصلية", "رسالة معاد توجيهها", "ipinasa",
)

#: Subject prefixes of replies and forwards ("Re:", "Fwd:", "回复：").
SUBJECT_PREFIX = re.compile(
    r"^\s*(?:(?:re|fw|fwd|aw|wg|tr|rv|enc|sv|vs|antw|odp|ynt|balas|回复|回覆|答复|转发|轉寄|"
    r"ตอบกลับ|trả lời|ответ|返信|회신|답장)\s*(?:\[\d+\])?\s*[:：]\s*)+",
    re.IGNORECASE,
)

#: Greetings that also are ordinary words ("malam ini" = tonight, "hai" = two in Vietnamese):
#: removed only when punctuation, an addressee or the line's end follows them.
WEAK_GREETINGS: frozenset[str] = frozenset(
    ["pagi", "siang", "sore", "malam", "salam", "saludos", "liebe", "lieber", "cher", "chère", "chers", "caro", "cara", "morning", "madame", "monsieur", "ถึง", "เรียน", "yo", "hai", "ola", "oi", "亲", "嗨", "cher", "saludos", "إلى", "الى"]
)

#: Verbs of "Sent from my ..." footers.
FOOTER_VERBS: tuple[str, ...] = (
    "sent", "get", "download", "powered by", "envoyé", "enviado", "gesendet", "von meinem",
    "dikirim", "dihantar", "ส่งจาก", "gửi từ", "được gửi", "发自", "來自", "来自", "从我的",
    "從我的", "送信", "보냄", "отправлено", "ipinadala", "inviato", "verzonden", "भेजा",
    "أرسلت", "مرسل", "ارسلت", "احصل على", "enviada", "sendt", "skickat", "obtener", "obter",
    "holen sie", "obtenir", "получите",
)

#: Labels that open an e-mail header block ("From: ..."), which starts a quoted message.
FROM_LABELS: tuple[str, ...] = (
    "from", "von", "de", "da", "dari", "daripada", "จาก", "từ", "发件人", "寄件者", "寄件人",
    "差出人", "보낸 사람", "보낸사람", "от", "от кого", "من", "प्रेषक", "mula kay", "van",
    "fra", "från", "od", "remetente", "remitente", "expéditeur",
)
#: Cues of a content-free follow-up turn ("any update?", "还在等回复"), in any language.
FOLLOW_UPS: tuple[str, ...] = (
    "any update", "any news", "any progress", "any response", "still waiting", "still no reply",
    "following up", "follow up", "follow-up", "please reply", "please respond", "anyone there",
    "waiting for your reply", "no reply", "no response", "hello?",
    "ada update", "ada kabar", "gimana", "masih menunggu", "belum ada balasan", "belum dibalas",
    "mohon dibalas", "tolong dibalas", "menindaklanjuti", "maklumat terkini", "ada berita",
    "tiada jawapan", "sila balas", "susulan", "อัปเดต", "อัพเดท", "ความคืบหน้า", "ยังรอ",
    "รอคำตอบ", "ไปถึงไหน", "ตอบด้วย", "ติดตามเรื่อง", "cập nhật", "có tin", "vẫn đang chờ",
    "vẫn chờ", "trả lời giúp", "sao rồi", "hỏi lại", "may update", "ano na", "balita",
    "naghihintay", "pakisagot", "novedad", "noticias", "sigo esperando", "respondan",
    "seguimiento", "alguna respuesta", "novidade", "notícia", "aguardando", "continuo esperando",
    "respondam", "retomando", "进展", "進展", "还在等", "還在等", "跟进", "跟進", "消息了吗",
    "处理得怎么样", "有人吗", "怎么样了", "تحديث", "جديد", "أنتظر", "انتظر", "متابعة", "أخبار",
    "進捗", "返信", "진행", "답변", "अपडेट", "जवाब", "इंतजार", "des nouvelles",
    "toujours en attente", "relance", "neuigkeiten", "warte noch", "nachfrage", "новости", "жду",
)
# fmt: on


def _alternation(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


GREETING_ALT = _alternation(GREETINGS)
CLOSING_ALT = _alternation(CLOSINGS)
