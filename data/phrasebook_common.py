"""Shared phrase material: openers, closers, context lines, PII carrier sentences,
products, subjects and per-region settings (languages, currency, couriers, time zone).

Slots in carrier sentences: {order} {trk} {email} {phone} {card} {address} (PII),
{days} {n} {date} {courier} {product}. Lines are plain lists; order matters for determinism.
"""

LANGS = ["en", "id", "th", "vi", "ms", "tl", "es", "pt", "zh"]

OPENERS = {
    "en": [
        "Hi,",
        "Hello,",
        "Hi team,",
        "Hello support,",
        "Dear customer service,",
        "Hey,",
        "Good morning,",
        "To whom it may concern,",
    ],
    "id": [
        "Halo kak,",
        "Halo min,",
        "Permisi kak,",
        "Selamat siang,",
        "Pagi kak,",
        "Min tolong,",
        "Assalamualaikum kak,",
    ],
    "th": ["สวัสดีค่ะ", "สวัสดีครับ", "รบกวนสอบถามค่ะ", "แอดมินคะ", "ขอสอบถามหน่อยครับ", "สวัสดีค่ะ แอดมิน"],
    "vi": ["Chào shop,", "Chào bạn,", "Admin ơi,", "Cho mình hỏi,", "Xin chào,", "Dạ chào CSKH,"],
    "ms": ["Hi,", "Salam,", "Assalamualaikum,", "Hai admin,", "Selamat pagi,", "Helo,"],
    "tl": ["Hi po,", "Hello po,", "Good day po,", "Magandang araw po,", "Hi admin,", "Hello,"],
    "es": [
        "Hola,",
        "Buen día,",
        "Buenas tardes,",
        "Hola, buenas,",
        "Estimado equipo de soporte:",
        "Qué tal,",
    ],
    "pt": ["Olá,", "Oi,", "Bom dia,", "Boa tarde,", "Prezados,", "Oi, tudo bem?"],
    "zh": ["您好，", "你好，", "客服你好，", "请问一下，", "在吗？", "客服在吗，"],
}

CLOSERS = {
    "en": [
        "Thanks.",
        "Thank you.",
        "Please help.",
        "Appreciate a quick reply.",
        "Regards.",
        "Thanks in advance!",
        "Please advise.",
    ],
    "id": [
        "Terima kasih.",
        "Makasih kak.",
        "Mohon bantuannya.",
        "Ditunggu responnya ya.",
        "Tolong segera diproses.",
        "Thx kak 🙏",
    ],
    "th": ["ขอบคุณค่ะ", "ขอบคุณครับ", "รบกวนด้วยนะคะ", "ช่วยตอบกลับด่วนค่ะ", "รอคำตอบอยู่นะครับ"],
    "vi": ["Cảm ơn.", "Cảm ơn shop ạ.", "Mong phản hồi sớm.", "Giúp mình với ạ.", "Thanks ạ."],
    "ms": ["Terima kasih.", "TQ.", "Harap dapat bantu.", "Tolong balas cepat.", "Thanks."],
    "tl": [
        "Salamat po.",
        "Thank you po.",
        "Sana matulungan niyo ako.",
        "Pakisagot po agad.",
        "Thanks!",
    ],
    "es": ["Gracias.", "Saludos.", "Quedo atento.", "Espero su respuesta.", "Muchas gracias."],
    "pt": ["Obrigado.", "Obrigada.", "Aguardo retorno.", "Grato.", "Desde já agradeço."],
    "zh": ["谢谢。", "麻烦了。", "请尽快回复。", "辛苦了。", "谢谢客服。"],
}

ANGRY = {
    "en": [
        "This is ridiculous.",
        "Worst service ever.",
        "I need this fixed ASAP.",
        "I will report this to my bank if it is not resolved.",
        "Very disappointed.",
    ],
    "id": [
        "Kecewa banget.",
        "Parah sih ini.",
        "Tolong ASAP ya!",
        "Saya mau lapor ke YLKI kalau ga diberesin.",
        "CS nya lambat banget.",
    ],
    "th": ["ผิดหวังมาก", "บริการแย่มาก", "ช่วยด่วนเลยค่ะ", "ถ้าไม่แก้จะร้องเรียน สคบ.", "รอจนหงุดหงิดแล้วนะ"],
    "vi": [
        "Quá thất vọng.",
        "Làm ăn kiểu gì vậy?",
        "Xử lý gấp giúp!",
        "Không giải quyết mình sẽ đánh giá 1 sao.",
        "Chán thật sự.",
    ],
    "ms": [
        "Kecewa betul.",
        "Teruk servis ni.",
        "Tolong settle ASAP.",
        "Saya akan buat aduan ke KPDN.",
        "Lembab sangat.",
    ],
    "tl": [
        "Nakakainis na.",
        "Sobrang disappointed ako.",
        "Paki-ayos ASAP.",
        "Ire-report ko na to sa DTI.",
        "Grabe naman.",
    ],
    "es": [
        "Es una vergüenza.",
        "Pésimo servicio.",
        "Lo necesito resuelto YA.",
        "Voy a poner queja en Profeco.",
        "Muy decepcionado.",
    ],
    "pt": [
        "Um absurdo.",
        "Péssimo atendimento.",
        "Preciso disso resolvido urgente.",
        "Vou reclamar no Procon e no Reclame Aqui.",
        "Muito decepcionada.",
    ],
    "zh": ["太离谱了。", "服务太差了。", "请马上处理！", "再不解决我就投诉了。", "非常失望。"],
}

CONTEXT_BUYER = {
    "en": [
        "I ordered on {date}.",
        "I've contacted you {n} times about this already.",
        "I've been a customer for years and never had this problem.",
        "The seller isn't answering my messages.",
        "Your chatbot just sends me in circles.",
        "It was a birthday gift for my son.",
    ],
    "id": [
        "Saya order tgl {date}.",
        "Ini udah ke-{n} kalinya saya hubungi CS.",
        "Saya udah langganan lama, baru kali ini begini.",
        "Seller ga bales chat sama sekali.",
        "Chatbotnya muter-muter doang.",
        "Barangnya buat kado ulang tahun.",
    ],
    "th": [
        "สั่งซื้อวันที่ {date}",
        "ติดต่อมาครั้งที่ {n} แล้วค่ะ",
        "ซื้อของที่นี่มานานไม่เคยเจอแบบนี้",
        "ทักร้านไปก็ไม่ตอบ",
        "แชทบอทตอบวนไปวนมา",
        "ซื้อเป็นของขวัญวันเกิดลูก",
    ],
    "vi": [
        "Mình đặt hàng ngày {date}.",
        "Đây là lần thứ {n} mình liên hệ rồi.",
        "Mua ở đây lâu rồi giờ mới bị vậy.",
        "Nhắn shop mà shop không trả lời.",
        "Chatbot trả lời vòng vo.",
        "Hàng mua làm quà sinh nhật.",
    ],
    "ms": [
        "Saya order pada {date}.",
        "Ni kali ke-{n} saya contact.",
        "Dah lama beli sini, first time jadi macam ni.",
        "Seller tak reply chat.",
        "Chatbot asyik pusing-pusing.",
        "Barang ni untuk hadiah birthday.",
    ],
    "tl": [
        "Nag-order ako noong {date}.",
        "Pang-{n} beses ko na kayong kinokontak.",
        "Matagal na akong customer, ngayon lang nangyari to.",
        "Hindi sumasagot si seller.",
        "Paikot-ikot lang yung chatbot.",
        "Regalo pa naman to sa birthday.",
    ],
    "es": [
        "Hice el pedido el {date}.",
        "Es la {n}ª vez que les escribo por esto.",
        "Soy cliente desde hace años y nunca me pasó.",
        "El vendedor no contesta mis mensajes.",
        "El chatbot no resuelve nada.",
        "Era un regalo de cumpleaños.",
    ],
    "pt": [
        "Fiz o pedido dia {date}.",
        "É a {n}ª vez que entro em contato.",
        "Compro aqui há anos e nunca aconteceu isso.",
        "O vendedor não responde no chat.",
        "O chatbot só fica repetindo a mesma coisa.",
        "Era presente de aniversário.",
    ],
    "zh": [
        "我是{date}下的单。",
        "这已经是我第{n}次联系客服了。",
        "在这里买了好几年东西，第一次遇到这种事。",
        "联系卖家也不回复。",
        "机器人客服一直绕圈子。",
        "这是买给孩子的生日礼物。",
    ],
}

CONTEXT_SELLER = {
    "en": [
        "We've been selling on the platform for 3 years.",
        "I already opened {n} tickets about this.",
        "This is affecting our campaign sales this week.",
        "Our store has a 4.9 rating.",
        "Account manager hasn't replied since {date}.",
    ],
    "id": [
        "Toko kami sudah jualan 3 tahun di sini.",
        "Saya sudah buka {n} tiket soal ini.",
        "Ini ganggu penjualan kampanye minggu ini.",
        "Rating toko kami 4.9.",
        "Account manager ga bales sejak {date}.",
    ],
    "th": [
        "ร้านเปิดขายมา 3 ปีแล้ว",
        "เปิดเคสเรื่องนี้ไป {n} ครั้งแล้วค่ะ",
        "กระทบยอดขายช่วงแคมเปญอาทิตย์นี้",
        "ร้านเรตติ้ง 4.9",
        "แอคเคาท์เมเนเจอร์ไม่ตอบตั้งแต่ {date}",
    ],
    "vi": [
        "Shop bán trên sàn được 3 năm rồi.",
        "Mình đã tạo {n} ticket về vụ này.",
        "Ảnh hưởng doanh số chiến dịch tuần này.",
        "Shop đánh giá 4.9 sao.",
        "Bên quản lý ngành hàng không phản hồi từ {date}.",
    ],
    "ms": [
        "Kedai kami dah 3 tahun berniaga di sini.",
        "Dah buka {n} tiket pasal ni.",
        "Ni jejaskan jualan kempen minggu ni.",
        "Rating kedai kami 4.9.",
        "Account manager tak balas sejak {date}.",
    ],
    "tl": [
        "3 years na kaming nagbebenta dito.",
        "Naka-{n} tickets na ako tungkol dito.",
        "Apektado yung campaign sales namin this week.",
        "4.9 rating ng shop namin.",
        "Hindi sumasagot yung account manager since {date}.",
    ],
    "es": [
        "Vendemos en la plataforma desde hace 3 años.",
        "Ya abrí {n} tickets por esto.",
        "Esto afecta las ventas de la campaña de esta semana.",
        "Nuestra tienda tiene calificación 4.9.",
        "El gerente de cuenta no responde desde el {date}.",
    ],
    "pt": [
        "Vendemos na plataforma há 3 anos.",
        "Já abri {n} chamados sobre isso.",
        "Isso está prejudicando as vendas da campanha.",
        "Nossa loja tem nota 4,9.",
        "O gerente de conta não responde desde {date}.",
    ],
    "zh": [
        "我们在平台开店三年了。",
        "这个问题我已经提交了{n}次工单。",
        "影响了我们这周的活动销量。",
        "店铺评分4.9。",
        "客户经理从{date}起就没回复。",
    ],
}

# PII carrier sentences.  Values are inserted verbatim and recorded in pii.csv.
REF_ORDER = {
    "en": ["Order {order}.", "Order number: {order}", "My order is {order}.", "(order #{order})"],
    "id": ["No pesanan {order}.", "Order ID: {order}", "Nomor pesanan saya {order}."],
    "th": ["หมายเลขคำสั่งซื้อ {order}", "ออเดอร์ {order}", "เลขออเดอร์ {order} ค่ะ"],
    "vi": ["Mã đơn hàng {order}.", "Đơn {order}.", "Mã đơn: {order}"],
    "ms": ["No. pesanan {order}.", "Order ID {order}.", "Order saya {order}."],
    "tl": ["Order #{order} po.", "Order number ko: {order}", "Order ID {order}."],
    "es": ["Pedido {order}.", "Número de pedido: {order}", "Mi pedido es el {order}."],
    "pt": ["Pedido {order}.", "Número do pedido: {order}", "Meu pedido é o {order}."],
    "zh": ["订单号 {order}", "订单号：{order}", "我的订单是{order}。"],
}
REF_TRACKING = {
    "en": ["Tracking number {trk}.", "Tracking: {trk}", "{courier} tracking {trk}."],
    "id": ["No resi {trk}.", "Resi: {trk}", "Resi {courier}: {trk}"],
    "th": ["เลขพัสดุ {trk}", "Tracking {trk} ค่ะ", "เลขติดตาม {courier} {trk}"],
    "vi": ["Mã vận đơn {trk}.", "Mã vận đơn {courier}: {trk}"],
    "ms": ["No tracking {trk}.", "Tracking {courier}: {trk}"],
    "tl": ["Tracking number: {trk}", "Tracking no. {trk} po."],
    "es": ["Guía de rastreo {trk}.", "Número de guía: {trk}"],
    "pt": ["Código de rastreio {trk}.", "Rastreio: {trk}"],
    "zh": ["快递单号 {trk}", "运单号：{trk}"],
}
REF_EMAIL = {
    "en": ["You can reach me at {email}.", "My email is {email}", "Reply to {email} please."],
    "id": ["Email saya {email}", "Bisa hubungi ke {email} ya."],
    "th": ["อีเมล {email} ค่ะ", "ติดต่อกลับทางอีเมล {email}"],
    "vi": ["Email của mình: {email}", "Liên hệ mình qua {email}."],
    "ms": ["Email saya {email}.", "Boleh email ke {email}."],
    "tl": ["Email ko po: {email}", "Pa-email na lang sa {email}."],
    "es": ["Mi correo es {email}.", "Contáctenme a {email}"],
    "pt": ["Meu e-mail: {email}", "Podem responder em {email}."],
    "zh": ["我的邮箱是{email}", "邮箱：{email}"],
}
REF_PHONE = {
    "en": ["Call me on {phone}.", "My number is {phone}.", "Phone: {phone}"],
    "id": ["No HP saya {phone}.", "WA ke {phone} aja kak."],
    "th": ["เบอร์โทร {phone}", "โทรกลับเบอร์ {phone} ได้เลยค่ะ"],
    "vi": ["SĐT của mình: {phone}", "Gọi cho mình số {phone}."],
    "ms": ["Nombor telefon saya {phone}.", "WhatsApp saya {phone}."],
    "tl": ["Contact number ko po {phone}.", "Tawagan niyo na lang ako sa {phone}."],
    "es": ["Mi teléfono es {phone}.", "Llámenme al {phone}."],
    "pt": ["Meu telefone/WhatsApp: {phone}", "Podem ligar no {phone}."],
    "zh": ["我的电话是{phone}", "联系电话：{phone}"],
}
REF_CARD = {
    "en": ["The card I used is {card}.", "Card number {card}."],
    "id": ["Kartu yang dipakai {card}."],
    "th": ["บัตรที่ใช้คือ {card}"],
    "vi": ["Thẻ mình dùng: {card}"],
    "ms": ["Kad yang saya guna {card}."],
    "tl": ["Yung card na ginamit ko: {card}"],
    "es": ["La tarjeta que usé es {card}."],
    "pt": ["O cartão usado foi {card}."],
    "zh": ["我用的卡号是{card}"],
}
REF_ADDRESS = {
    "en": ["Delivery address: {address}.", "I live at {address}."],
    "id": ["Alamat saya {address}.", "Alamat kirim: {address}"],
    "th": ["ที่อยู่จัดส่ง {address}"],
    "vi": ["Địa chỉ giao: {address}"],
    "ms": ["Alamat saya {address}."],
    "tl": ["Address ko: {address}"],
    "es": ["Mi dirección: {address}."],
    "pt": ["Endereço de entrega: {address}."],
    "zh": ["收货地址：{address}"],
}

GENERIC_SUBJECTS = {
    "en": [
        "Help needed",
        "Complaint",
        "Urgent!!",
        "Question about my order",
        "Re: your ticket",
        "Issue with order",
    ],
    "id": ["Tolong dibantu", "Komplain", "Penting!!", "Pertanyaan pesanan", "Masalah pesanan"],
    "th": ["ขอความช่วยเหลือ", "ร้องเรียน", "ด่วน!!", "สอบถามคำสั่งซื้อ"],
    "vi": ["Cần hỗ trợ", "Khiếu nại", "Gấp!!", "Hỏi về đơn hàng"],
    "ms": ["Perlukan bantuan", "Aduan", "Urgent!!", "Pertanyaan order"],
    "tl": ["Need help po", "Complaint", "Urgent!!", "Tanong about order"],
    "es": ["Ayuda", "Queja", "¡Urgente!", "Consulta sobre mi pedido"],
    "pt": ["Preciso de ajuda", "Reclamação", "Urgente!!", "Dúvida sobre pedido"],
    "zh": ["求助", "投诉", "急！！", "订单问题"],
}

TERSE_TAIL = {
    "en": ["pls", "please help", "??", "asap", "again", "- still nothing", "help!!"],
    "id": ["kak", "min", "pls", "gimana ini", "tolong", "??", "udah lama"],
    "th": ["ค่ะ", "ครับ", "นะคะ", "ช่วยด้วย", "??", "อีกแล้ว"],
    "vi": ["ạ", "shop ơi", "giúp với", "??", "gấp", "nha"],
    "ms": ["pls", "tolong", "admin", "??", "lagi", "cepat sikit"],
    "tl": ["po", "pls", "help po", "??", "ulit", "asap po"],
    "es": ["por favor", "ayuda", "??", "urgente", "otra vez"],
    "pt": ["por favor", "socorro", "??", "urgente", "de novo"],
    "zh": ["！！", "？？", "急", "麻烦看下", "怎么回事"],
}

EMOJI = ["🙏", "😡", "😭", "😤", "🙏🙏", "!!!", "???", "😢", "🥲"]

PRODUCTS = {
    "en": [
        "phone case",
        "rice cooker",
        "pair of sneakers",
        "wireless earbuds",
        "hair dryer",
        "backpack",
        "smartwatch",
        "desk lamp",
        "yoga mat",
        "blender",
        "laptop stand",
        "hoodie",
    ],
    "id": [
        "casing HP",
        "rice cooker",
        "sepatu sneakers",
        "earphone bluetooth",
        "air fryer",
        "tas ransel",
        "jam tangan",
        "kipas angin",
        "gamis",
        "skincare set",
        "powerbank",
        "kerudung",
    ],
    "th": [
        "เคสมือถือ",
        "หม้อหุงข้าว",
        "รองเท้าผ้าใบ",
        "หูฟังบลูทูธ",
        "หม้อทอดไร้น้ำมัน",
        "เสื้อยืด",
        "ครีมกันแดด",
        "พัดลม",
        "กระเป๋าเป้",
        "นาฬิกา",
    ],
    "vi": [
        "ốp điện thoại",
        "nồi cơm điện",
        "giày sneaker",
        "tai nghe bluetooth",
        "nồi chiên không dầu",
        "áo thun",
        "son môi",
        "quạt mini",
        "balo",
        "đồng hồ",
    ],
    "ms": [
        "casing phone",
        "periuk nasi",
        "kasut sneakers",
        "earbuds",
        "air fryer",
        "baju kurung",
        "tudung",
        "powerbank",
        "beg galas",
        "jam tangan",
    ],
    "tl": [
        "phone case",
        "rice cooker",
        "sneakers",
        "earphones",
        "air fryer",
        "electric fan",
        "t-shirt",
        "powerbank",
        "backpack",
        "relo",
    ],
    "es": [
        "reloj inteligente",
        "ventilador",
        "secador de pelo",
        "teclado",
        "horno eléctrico",
        "termo",
        "cargador",
        "perfume",
        "vestido",
        "abrigo",
        "colchón inflable",
        "celular",
    ],
    "pt": [
        "fone bluetooth",
        "smartwatch",
        "liquidificador",
        "moletom",
        "ventilador",
        "secador de cabelo",
        "teclado",
        "carregador",
        "perfume",
        "vestido",
        "tênis",
        "celular",
    ],
    "zh": [
        "手机壳",
        "电饭煲",
        "运动鞋",
        "蓝牙耳机",
        "空气炸锅",
        "双肩包",
        "智能手表",
        "台灯",
        "卫衣",
        "充电宝",
    ],
}

ERROR_CODES = [
    "HTTP 500",
    "error_code 10014",
    "403 Forbidden",
    "HTTP 429 Too Many Requests",
    "error_auth",
    "E1002",
    "502 Bad Gateway",
    "ERR_TIMEOUT",
]

MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "id": [
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ],
    "ms": ["Jan", "Feb", "Mac", "Apr", "Mei", "Jun", "Julai", "Ogos", "Sept", "Okt", "Nov", "Dis"],
    "th": [
        "ม.ค.",
        "ก.พ.",
        "มี.ค.",
        "เม.ย.",
        "พ.ค.",
        "มิ.ย.",
        "ก.ค.",
        "ส.ค.",
        "ก.ย.",
        "ต.ค.",
        "พ.ย.",
        "ธ.ค.",
    ],
    "es": [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
    "pt": [
        "janeiro",
        "fevereiro",
        "março",
        "abril",
        "maio",
        "junho",
        "julho",
        "agosto",
        "setembro",
        "outubro",
        "novembro",
        "dezembro",
    ],
}


def fmt_date(lang, d, variant):
    """Format a date the way a customer writing in ``lang`` would."""
    m, day = d.month, d.day
    if lang == "en":
        return [f"{MONTHS['en'][m - 1]} {day}", f"{day} {MONTHS['en'][m - 1][:3]}", f"{m}/{day}"][
            variant % 3
        ]
    if lang == "tl":
        return [f"{MONTHS['en'][m - 1]} {day}", f"{m}/{day}"][variant % 2]
    if lang in ("id", "ms", "th"):
        return [f"{day} {MONTHS[lang][m - 1]}", f"{day}/{m}"][variant % 2]
    if lang == "vi":
        return [f"{day}/{m}", f"{day} tháng {m}"][variant % 2]
    if lang in ("es", "pt"):
        return [f"{day} de {MONTHS[lang][m - 1]}", f"{day}/{m}"][variant % 2]
    if lang == "zh":
        return [f"{m}月{day}日", f"{m}月{day}号"][variant % 2]
    return d.isoformat()


# Region settings: language mix, UTC offset (hours; summer), currency formatter id, couriers.
REGIONS = {
    "ID": dict(
        share=0.18,
        langs=[("id", 0.86), ("en", 0.14)],
        tz=7,
        cur="IDR",
        couriers=["J&T", "JNE", "SiCepat", "AnterAja", "SPX"],
    ),
    "TH": dict(
        share=0.13,
        langs=[("th", 0.9), ("en", 0.1)],
        tz=7,
        cur="THB",
        couriers=["Kerry", "Flash Express", "J&T", "Thailand Post", "SPX"],
    ),
    "VN": dict(
        share=0.11,
        langs=[("vi", 0.93), ("en", 0.07)],
        tz=7,
        cur="VND",
        couriers=["GHN", "GHTK", "Viettel Post", "J&T", "Ninja Van"],
    ),
    "MY": dict(
        share=0.08,
        langs=[("ms", 0.5), ("en", 0.3), ("zh", 0.2)],
        tz=8,
        cur="MYR",
        couriers=["Poslaju", "J&T", "Ninja Van", "City-Link", "DHL eCommerce"],
    ),
    "PH": dict(
        share=0.10,
        langs=[("tl", 0.65), ("en", 0.35)],
        tz=8,
        cur="PHP",
        couriers=["LBC", "J&T", "Ninja Van", "Flash Express", "2GO"],
    ),
    "SG": dict(
        share=0.05,
        langs=[("en", 0.75), ("zh", 0.25)],
        tz=8,
        cur="SGD",
        couriers=["Ninja Van", "SingPost", "J&T", "Qxpress"],
    ),
    "US": dict(
        share=0.10,
        langs=[("en", 0.85), ("es", 0.15)],
        tz=-4,
        cur="USD",
        couriers=["UPS", "USPS", "FedEx"],
    ),
    "UK": dict(
        share=0.06, langs=[("en", 1.0)], tz=1, cur="GBP", couriers=["Royal Mail", "Evri", "DPD"]
    ),
    "MX": dict(
        share=0.07,
        langs=[("es", 0.95), ("en", 0.05)],
        tz=-6,
        cur="MXN",
        couriers=["Estafeta", "DHL", "Redpack", "FedEx"],
    ),
    "BR": dict(
        share=0.09,
        langs=[("pt", 0.97), ("en", 0.03)],
        tz=-3,
        cur="BRL",
        couriers=["Correios", "Jadlog", "Loggi"],
    ),
    "TW": dict(
        share=0.03,
        langs=[("zh", 1.0)],
        tz=8,
        cur="TWD",
        couriers=["黑猫宅急便", "新竹物流", "7-11交货便"],
    ),
}

# Simplified -> Traditional for the characters used in the zh phrase tables (TW tickets).
_S2T_PAIRS = (
    "么麼没沒货貨这這个個还還为為们們时時单單号號钱錢给給发發说說问問题題订訂东東买買卖賣运運递遞几幾经經请請帮幫处處后後过過"
    "会會对對错錯坏壞无無账帳户戶码碼录錄锁鎖冻凍结結应應该該让讓从從现現样樣里裡开開关關务務费費罚罰违違规規产產链鏈库庫"
    "广廣预預试試报報误誤软軟丢丟记記联聯态態显顯优優惠惠减減价價实實际際额額两兩银銀转轉标標签簽换換绝絕审審驳駁状狀"
    "损損缺缺书書鉴鑑佣傭续續揽攬机機门門铺鋪积積达達数數据據负負责責复復响響赶趕紧緊谢謝烦煩吗嗎边邊间間长長钟鐘话話电電"
    "邮郵认認证證验驗输輸图圖视視频頻详詳细細检檢查查仓倉饭飯锅鍋壳殼线線宝寶红紅蓝藍双雙块塊张張条條项項网網页頁点點击擊"
    "车車专專员員讯訊询詢满滿质質量量尽盡总總亏虧币幣汇匯迟遲闪閃补補齐齊拆拆装裝说說扣扣状狀屏屏盖蓋盒盒错錯别別宽寬试試"
    "刷刷卡卡归歸统統拉拉页頁仿仿冒冒辆輛缘緣级級销銷报報释釋放放将將围圍时時问問论論获獲户戶码碼约約齐齊来來东東样樣"
    "动動态態头頭拍拍图圖续續该該败敗断斷剩剩馀餘内內离離庆慶乐樂观觀惯慣导導欢歡缩縮扫掃签簽购購财財产產团團资資议議"
    "异異众眾级級购購紧緊权權侵侵识識属屬杂雜赔賠偿償罢罷减減纳納纠糾纷紛帐帳饰飾袜襪运運盘盤档檔缓緩烧燒烂爛灯燈"
    "炸炸卫衛兑兌讲講义義梦夢顺順极極难難题題况況凭憑庄莊龙龍写寫边邊让讓认認识識岁歲严嚴肃肅预預备備设設计計调調整整"
    "较較权權涨漲浅淺测測试試弃棄垫墊爱愛习習页頁师師华華语語试試细細闭閉闻聞阅閱针針钥鑰键鍵阶階随隨险險隐隱"
    "条條杂雜标標树樹桥橋检檢楼樓欢歡气氣汉漢没沒沟溝涂塗润潤涩澀湿濕温溫渐漸灵靈热熱爷爺牵牽独獨猎獵献獻环環现現"
    "电電画畫畅暢疗療监監盖蓋稳穩穷窮竞競笔筆筑築签簽简簡类類粮糧纸紙级級纪紀约約红紅纯純纲綱纳納纵縱纹紋织織终終组組"
    "经經绍紹给給络絡绝絕统統继繼绩績续續维維综綜缘緣编編缴繳罗羅职職联聯肤膚胜勝脑腦脚腳艺藝节節范範荐薦药藥获獲"
    "萝蘿虽雖蛋蛋补補表錶衬襯袭襲视視览覽觉覺触觸订訂计計认認讨討让讓训訓议議记記讲講许許论論设設访訪证證评評识識诉訴"
    "译譯试試诚誠话話该該详詳语語误誤说說请請诸諸读讀课課调調谁誰谈談谢謝谱譜贝貝负負贡貢财財责責败敗货貨质質贫貧购購"
    "贴貼贵貴贸貿费費贺賀资資赏賞赔賠赚賺赠贈赶趕跃躍践踐轮輪软軟轻輕载載较較辑輯输輸辞辭边邊达達过過运運还還进進远遠连連"
    "迟遲适適选選递遞逻邏遗遺邮郵邻鄰采採释釋钢鋼钱錢铁鐵银銀错錯锅鍋键鍵镜鏡长長门門闪閃闭閉问問闲閒间間闹鬧队隊阳陽际際"
    "陆陸陈陳险險随隨隐隱难難雾霧静靜顶頂项項顺順须須顾顧顿頓预預领領频頻题題颜顏风風飞飛饭飯饮飲馆館驱驅验驗骗騙鱼魚鸡雞黄黃齿齒"
    "传傳决決划劃删刪办辦压壓参參变變尝嘗拣揀暂暫种種绕繞见見钮鈕颗顆马馬猫貓却卻余餘丝絲柜櫃礼禮"
)
S2T = {}
for _i in range(0, len(_S2T_PAIRS) - 1, 2):
    S2T.setdefault(_S2T_PAIRS[_i], _S2T_PAIRS[_i + 1])


def to_traditional(text):
    text = text.replace("联系", "聯繫")
    return "".join(S2T.get(ch, ch) for ch in text)
