"""Slot values for the sample generator: money, PII (emails, phones, cards, order and
tracking numbers, addresses) in each market's local format.  Every function takes a
``random.Random`` so output is reproducible from the seed."""

import string

FIRST = {
    "ID": ["budi", "siti", "dewi", "agus", "rina", "andi", "putri", "rizky"],
    "TH": ["somchai", "nattaya", "kittipong", "siriporn", "anan", "pimchanok"],
    "VN": ["nguyen.van", "tran.thi", "le.minh", "pham.thu", "hoang.anh", "vu.duc"],
    "MY": ["ahmad", "nurul", "wei.ling", "siti", "farid", "kumar"],
    "PH": ["juan", "maria", "jose", "angelica", "mark", "kristine"],
    "SG": ["jia.hui", "marcus", "priya", "wei.jie", "rachel", "daniel"],
    "US": ["john", "emily", "michael", "sarah", "carlos", "jessica"],
    "UK": ["oliver", "amelia", "harry", "sophie", "james", "chloe"],
    "MX": ["jose", "guadalupe", "luis", "fernanda", "alejandro", "mariana"],
    "BR": ["joao", "ana", "lucas", "juliana", "gabriel", "fernanda"],
    "TW": ["chen.yiting", "lin.weichen", "wang.meiling", "chang.hao", "huang.yu"],
}
LAST = {
    "ID": ["santoso", "wijaya", "pratama", "lestari", "saputra", "hidayat"],
    "TH": ["srisuk", "wongsa", "chaiyaporn", "boonmee", "rattana"],
    "VN": ["hung", "lan", "tuan", "hoa", "nam"],
    "MY": ["abdullah", "ismail", "tan", "lim", "rahman"],
    "PH": ["delacruz", "santos", "reyes", "garcia", "bautista"],
    "SG": ["tan", "lim", "ng", "goh", "wong"],
    "US": ["smith", "johnson", "brown", "miller", "davis"],
    "UK": ["taylor", "wilson", "evans", "walker", "hughes"],
    "MX": ["hernandez", "lopez", "martinez", "ramirez", "gonzalez"],
    "BR": ["silva", "santos", "oliveira", "souza", "pereira"],
    "TW": ["tw", "88", "0912", "lin", "chen"],
}
DOMAINS = ["gmail.com", "gmail.com", "gmail.com", "yahoo.com", "hotmail.com", "outlook.com"]


def digits(rng, k):
    return "".join(rng.choice(string.digits) for _ in range(k))


def email(rng, region):
    f, last = rng.choice(FIRST[region]), rng.choice(LAST[region])
    style = rng.randrange(4)
    user = [
        f"{f}.{last}",
        f"{f}{last}{rng.randint(1, 99)}",
        f"{f}_{last[0]}",
        f"{f}.{last}{rng.randint(80, 99)}",
    ][style]
    return user.replace("..", ".") + "@" + rng.choice(DOMAINS)


def phone(rng, region):
    d = lambda k: digits(rng, k)  # noqa: E731
    v = rng.randrange(3)
    if region == "ID":
        p = "8" + rng.choice("1125") + d(1)
        return [f"+62 {p}-{d(4)}-{d(4)}", f"0{p} {d(4)} {d(4)}", f"0{p}{d(8)}"][v]
    if region == "TH":
        p = rng.choice(["81", "86", "89", "92", "95"])
        return [f"+66 {p} {d(3)} {d(4)}", f"0{p}-{d(3)}-{d(4)}", f"0{p}{d(7)}"][v]
    if region == "VN":
        p = rng.choice(["90", "91", "98", "97", "88"])
        return [f"0{p}{d(1)} {d(3)} {d(3)}", f"+84 {p}{d(1)} {d(3)} {d(3)}", f"0{p}{d(7)}"][v]
    if region == "MY":
        p = rng.choice(["12", "13", "16", "17", "19"])
        return [f"+60 {p}-{d(3)} {d(4)}", f"0{p}-{d(7)}", f"0{p} {d(3)} {d(4)}"][v]
    if region == "PH":
        p = rng.choice(["917", "918", "927", "945", "998"])
        return [f"0{p}{d(7)}", f"+63 {p} {d(3)} {d(4)}", f"0{p}-{d(3)}-{d(4)}"][v]
    if region == "SG":
        p = rng.choice("89")
        return [f"+65 {p}{d(3)} {d(4)}", f"{p}{d(3)} {d(4)}", f"+65{p}{d(7)}"][v]
    if region == "US":
        a = rng.choice(["415", "212", "646", "312", "713", "305"])
        return [f"+1 ({a}) 555-{d(4)}", f"({a}) 555-{d(4)}", f"{a}-555-{d(4)}"][v]
    if region == "UK":
        return [f"+44 7700 {d(6)}", f"07700 {d(6)}", f"+447700{d(6)}"][v]
    if region == "MX":
        a = rng.choice(["55", "33", "81"])
        return [f"+52 {a} {d(4)} {d(4)}", f"{a} {d(4)} {d(4)}", f"+52{a}{d(8)}"][v]
    if region == "BR":
        a = rng.choice(["11", "21", "31", "41", "51"])
        return [f"+55 {a} 9{d(4)}-{d(4)}", f"({a}) 9{d(4)}-{d(4)}", f"+55{a}9{d(8)}"][v]
    p = rng.choice(["912", "921", "935", "958"])  # TW
    return [f"0{p}-{d(3)}-{d(3)}", f"+886 {p} {d(3)} {d(3)}", f"0{p}{d(6)}"][v]


def luhn_card(rng):
    body = [4] if rng.random() < 0.6 else [5, rng.randint(1, 5)]
    while len(body) < 15:
        body.append(rng.randint(0, 9))
    total = 0
    for i, x in enumerate(reversed(body)):  # check digit goes to the right of these
        if i % 2 == 0:
            x *= 2
            if x > 9:
                x -= 9
        total += x
    body.append((10 - total % 10) % 10)
    s = "".join(map(str, body))
    sep = rng.choice([" ", " ", "-"])
    return sep.join(s[i : i + 4] for i in range(0, 16, 4))


def luhn_ok(number):
    ds = [int(c) for c in number if c.isdigit()]
    tot = 0
    for i, x in enumerate(reversed(ds)):
        if i % 2 == 1:
            x *= 2
            if x > 9:
                x -= 9
        tot += x
    return tot % 10 == 0


def order_number(rng, d):
    v = rng.randrange(3)
    ymd = d.strftime("%y%m%d")
    if v == 0:
        alnum = "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(7))
        return ymd + alnum
    if v == 1:
        return f"SO-{digits(rng, 8)}"
    return ymd + digits(rng, 6)


def tracking_number(rng, region):
    d = lambda k: digits(rng, k)  # noqa: E731
    L = lambda k: "".join(rng.choice(string.ascii_uppercase) for _ in range(k))  # noqa: E731
    opts = {
        "ID": [f"JP{d(10)}", f"SPXID0{d(11)}", f"CGK{d(10)}"],
        "TH": [f"TH{d(10)}{L(1)}", f"KEX{d(10)}", f"SPXTH0{d(11)}"],
        "VN": [f"GHN{L(2)}{d(7)}", f"SPXVN0{d(11)}", f"VN{d(10)}"],
        "MY": [f"E{L(1)}{d(9)}MY", f"JT{d(12)}", f"NVMY{d(9)}"],
        "PH": [f"JT{d(12)}", f"LBC{d(10)}", f"PH{d(10)}{L(1)}"],
        "SG": [f"R{L(1)}{d(9)}SG", f"NVSG{d(9)}", f"QX{d(10)}"],
        "US": [f"1Z{L(3)}{d(3)}{d(10)}", f"9400{d(18)}", f"7{d(11)}"],
        "UK": [f"{L(2)}{d(9)}GB", f"H{d(15)}", f"{L(2)}{d(9)}GB"],
        "MX": [f"MX{d(10)}", f"{d(22)}", f"RP{d(9)}MX"],
        "BR": [f"{L(2)}{d(9)}BR", f"JD{d(12)}", f"LG{d(10)}"],
        "TW": [f"{d(12)}", f"HCT{d(10)}", f"{d(12)}"],
    }
    return rng.choice(opts[region])


def address(rng, region):
    n, k, m = rng.randint(1, 299), rng.randint(1, 30), rng.randint(1, 99)
    return {
        "ID": rng.choice(
            [
                f"Jl. Sudirman No. {n}, Jakarta",
                f"Jl. Diponegoro No. {n}, Bandung",
                f"Jl. Raya Darmo No. {n}, Surabaya",
            ]
        ),
        "TH": rng.choice([f"{n}/{m} ซอยสุขุมวิท {k} กรุงเทพฯ 10110", f"{n}/{m} ถ.นิมมานเหมินท์ เชียงใหม่"]),
        "VN": rng.choice(
            [f"{n} Nguyễn Trãi, Quận 1, TP.HCM", f"{n} Trần Duy Hưng, Cầu Giấy, Hà Nội"]
        ),
        "MY": rng.choice(
            [f"No. {n}, Jalan SS2/{k}, Petaling Jaya", f"No. {n}, Jalan Ampang, Kuala Lumpur"]
        ),
        "PH": rng.choice(
            [f"{n} Rizal St., Brgy. San Antonio, Makati City", f"{n} Mabini St., Quezon City"]
        ),
        "SG": f"Blk {n} Tampines St {k}, #0{k % 9 + 1}-{m}",
        "US": rng.choice([f"{n} Main St, Springfield, IL 62704", f"{n} Oak Ave, Austin, TX 78701"]),
        "UK": rng.choice([f"{n} High Street, Leeds LS1 4AB", f"{n} Church Road, Bristol BS1 5TR"]),
        "MX": rng.choice(
            [f"Av. Insurgentes Sur {n}, Col. Roma, CDMX", f"Calle Juárez {n}, Guadalajara"]
        ),
        "BR": rng.choice(
            [f"Rua das Flores, {n}, São Paulo - SP", f"Av. Atlântica, {n}, Rio de Janeiro - RJ"]
        ),
        "TW": f"台北市信義區松仁路{n}號{k}樓",
    }[region]


def _thousands(x, sep):
    s = f"{x:,}"
    return s.replace(",", sep)


def money(rng, cur, usd, v=None):
    """Format an amount worth roughly ``usd`` dollars in the market's currency."""
    v = rng.randrange(3) if v is None else v
    if cur == "IDR":
        x = max(1, round(usd * 15500 / 1000)) * 1000
        return [f"Rp {_thousands(x, '.')}", f"Rp{_thousands(x, '.')}", f"{x // 1000}rb"][v]
    if cur == "THB":
        x = max(1, round(usd * 35 / 10)) * 10
        return [f"฿{x:,}", f"{x} บาท", f"{x:,} บาท"][v]
    if cur == "VND":
        x = max(1, round(usd * 25000 / 1000)) * 1000
        return [f"{_thousands(x, '.')}đ", f"{x // 1000}k", f"{_thousands(x, '.')} VND"][v]
    if cur == "MYR":
        x = usd * 4.5
        return [f"RM{round(x)}", f"RM {x:.2f}", f"RM{x:.2f}"][v]
    if cur == "PHP":
        x = round(usd * 56)
        return [f"₱{x:,}", f"PHP {x:,}", f"P{x}"][v]
    if cur == "SGD":
        return [f"S${usd * 1.3:.2f}", f"${usd * 1.3:.2f}", f"SGD {usd * 1.3:.2f}"][v]
    if cur == "USD":
        return [f"${usd:.2f}", f"${usd:.2f}", f"{usd:.2f} USD"][v]
    if cur == "GBP":
        return [f"£{usd * 0.8:.2f}", f"£{usd * 0.8:.2f}", f"{usd * 0.8:.2f} GBP"][v]
    if cur == "MXN":
        x = round(usd * 18)
        return [f"MX$ {x:,}", f"${x:,} MXN", f"{x} pesos"][v]
    if cur == "BRL":
        x = f"{usd * 5.2:.2f}".replace(".", ",")
        return [f"R$ {x}", f"R${x}", f"{x} reais"][v]
    x = round(usd * 32)  # TWD
    return [f"NT${x:,}", f"{x}元", f"NT$ {x}"][v]
