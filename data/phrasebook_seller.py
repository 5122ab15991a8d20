"""Seller-support themes. Same block format as phrasebook_buyer1."""

THEMES = {}

THEMES["seller_payout_delayed"] = dict(
    kind="seller",
    category="seller_payouts",
    pain=0.8,
    text="""
en~ payout not received
en~ where is my settlement
en: My weekly payout of {amount} was due on {date} and still hasn't hit my bank account.
en: Orders are completed but the income is stuck in "pending release" for {days} days.
en: We haven't been paid for two cycles now. I can't pay my suppliers.
en: Withdrawal shows successful but the bank has not received anything.
id~ dana penjualan belum cair
id~ pencairan saldo seller telat
id: Dana penjualan {amount} harusnya cair tgl {date} tapi belum masuk rekening toko.
id: Pesanan sudah selesai tapi penghasilan masih "tertunda" udah {days} hari.
id: Udah 2 periode payout ga cair, saya ga bisa bayar supplier.
id: Tarik saldo statusnya berhasil tapi di bank belum ada dananya.
th~ เงินยังไม่เข้าร้าน
th~ ยังไม่ได้รับ payout
th: ยอดขายรอบนี้ {amount} ควรโอนเข้าวันที่ {date} แต่ยังไม่เข้าบัญชีร้านเลยค่ะ
th: ออเดอร์สำเร็จแล้วแต่รายได้ยังค้างสถานะ "รอโอน" มา {days} วัน
th: ร้านไม่ได้รับเงินมาสองรอบแล้ว ไม่มีเงินจ่ายซัพพลายเออร์ครับ
th: ถอนเงินขึ้นว่าสำเร็จแต่ธนาคารยังไม่ได้รับ
vi~ chưa nhận được tiền thanh toán
vi~ tiền bán hàng chưa về
vi: Kỳ thanh toán {amount} lẽ ra về ngày {date} mà tài khoản shop vẫn chưa nhận được.
vi: Đơn đã hoàn thành mà doanh thu cứ "chờ đối soát" {days} ngày nay.
vi: Hai kỳ rồi shop chưa được thanh toán, không có tiền trả nhà cung cấp.
vi: Rút tiền báo thành công nhưng ngân hàng chưa nhận được.
ms~ payout belum masuk
ms~ duit jualan tak masuk lagi
ms: Payout mingguan {amount} sepatutnya masuk {date} tapi akaun bank kedai masih kosong.
ms: Order dah selesai tapi pendapatan masih "menunggu pelepasan" {days} hari.
ms: Dah dua kitaran tak dibayar, tak boleh bayar supplier.
ms: Pengeluaran tunjuk berjaya tapi bank tak terima.
tl~ wala pa yung payout
tl~ delayed ang seller payout
tl: Yung payout ko na {amount} dapat pumasok noong {date} pero wala pa rin sa bank.
tl: Completed na yung orders pero naka-pending pa rin yung income for {days} days.
tl: Dalawang cycle na kaming hindi nababayaran, hindi ko mabayaran supplier ko.
tl: Successful daw yung withdrawal pero walang pumasok sa bank account ko.
es~ no me han pagado mis ventas
es~ liquidación retrasada
es: Mi liquidación semanal de {amount} debía llegar el {date} y no ha caído en mi cuenta.
es: Los pedidos están completados pero el saldo sigue "pendiente de liberar" hace {days} días.
es: Llevamos dos ciclos sin pago, no puedo pagar a mis proveedores.
es: El retiro aparece como exitoso pero el banco no recibió nada.
pt~ repasse atrasado
pt~ não recebi o repasse das vendas
pt: Meu repasse de {amount} era para cair em {date} e até agora nada na conta.
pt: Os pedidos estão concluídos mas o saldo continua "a liberar" há {days} dias.
pt: Estamos há dois ciclos sem receber, não consigo pagar fornecedor.
pt: O saque aparece como concluído mas o banco não recebeu.
zh~ 货款还没到账
zh~ 结算延迟
zh: 本期结算{amount}应该{date}到账，到现在店铺银行账户还没收到。
zh: 订单都完成了，收入一直显示"待释放"，已经{days}天了。
zh: 已经两个结算周期没打款了，供应商的钱都付不了。
zh: 提现显示成功，但是银行没收到钱。
""",
)

THEMES["payout_amount_wrong"] = dict(
    kind="seller",
    category="seller_payouts",
    pain=0.6,
    text="""
en~ payout amount incorrect
en~ settlement is short
en: This week's payout is {amount2} but my sales report says it should be {amount}.
en: The settlement is short and I can't match it to any order. Please send a breakdown.
en: Several completed orders are missing from my payout statement.
en: You deducted a refund from my payout for an order the buyer never returned.
id~ jumlah pencairan ga sesuai
id~ dana masuk kurang
id: Pencairan minggu ini cuma {amount2}, padahal di laporan penjualan harusnya {amount}.
id: Dana yang masuk kurang dan ga jelas potongan apa. Minta rinciannya.
id: Beberapa pesanan selesai ga masuk di laporan penghasilan.
id: Dana saya dipotong refund padahal pembeli ga pernah kirim balik barangnya.
th~ ยอดเงินที่โอนไม่ตรง
th~ payout ขาด
th: payout รอบนี้ได้ {amount2} แต่รายงานยอดขายบอกว่าควรได้ {amount}
th: ยอดที่โอนเข้าขาดไป จับคู่กับออเดอร์ไหนก็ไม่ได้ ขอรายละเอียดด้วยค่ะ
th: ออเดอร์ที่สำเร็จแล้วหลายรายการไม่อยู่ในรายงานการโอนเงิน
th: โดนหักเงินคืนลูกค้าทั้งที่ลูกค้าไม่ได้ส่งของคืนมาเลยครับ
vi~ tiền thanh toán bị thiếu
vi~ số tiền đối soát sai
vi: Kỳ này chỉ nhận {amount2} trong khi báo cáo doanh thu ghi {amount}.
vi: Tiền về bị thiếu mà không khớp với đơn nào, gửi giúp shop bảng chi tiết.
vi: Nhiều đơn hoàn thành không có trong bảng đối soát.
vi: Bị trừ tiền hoàn cho khách trong khi khách chưa hề gửi trả hàng.
ms~ jumlah payout salah
ms~ payout kurang
ms: Payout minggu ni {amount2} je tapi laporan jualan kata {amount}.
ms: Jumlah masuk kurang dan tak padan dengan mana-mana order. Minta breakdown.
ms: Beberapa order selesai tak ada dalam penyata payout.
ms: Kena tolak refund untuk order yang pembeli tak pulangkan pun.
tl~ mali yung payout amount
tl~ kulang ang payout
tl: {amount2} lang yung payout ngayong week pero sa sales report dapat {amount}.
tl: Kulang yung pumasok at hindi tugma sa kahit anong order. Pa-send ng breakdown.
tl: May mga completed orders na wala sa payout statement ko.
tl: Binawasan ako ng refund sa order na hindi naman binalik ng buyer.
es~ el monto de la liquidación está mal
es~ me pagaron de menos
es: La liquidación de esta semana es {amount2} y según mi reporte de ventas debería ser {amount}.
es: Falta dinero en el pago y no cuadra con ningún pedido. Manden el desglose.
es: Varios pedidos completados no aparecen en el estado de pagos.
es: Me descontaron un reembolso de un pedido que el comprador nunca devolvió.
pt~ valor do repasse errado
pt~ repasse veio a menos
pt: O repasse desta semana foi {amount2}, mas pelo relatório de vendas deveria ser {amount}.
pt: Caiu menos dinheiro e não bate com nenhum pedido. Mandem o extrato detalhado.
pt: Vários pedidos concluídos não aparecem no extrato de repasse.
pt: Descontaram um reembolso de um pedido que o comprador nunca devolveu.
zh~ 结算金额不对
zh~ 打款少了
zh: 本周结算只有{amount2}，销售报表显示应该是{amount}。
zh: 到账金额少了，对不上任何订单，请提供明细。
zh: 好几个已完成的订单没有出现在结算单里。
zh: 买家根本没退货，却从我的货款里扣了退款。
""",
)

THEMES["listing_taken_down"] = dict(
    kind="seller",
    category="listing",
    pain=0.6,
    text="""
en~ listing removed
en~ product taken down for no reason
en: My listing for {product} was removed for "prohibited item" but it's a normal household product.
en: {n} of my listings got delisted overnight with no explanation. Sales dropped to zero.
en: The product was taken down for IP infringement but I am the authorized distributor.
en: I edited the listing as requested and it was blocked again. What exactly is wrong?
id~ produk diturunkan
id~ listing kena banned
id: Produk {product} saya diturunkan katanya "barang terlarang", padahal barang biasa.
id: {n} produk saya tiba-tiba diblokir semalam tanpa penjelasan, penjualan langsung nol.
id: Produk dihapus karena pelanggaran HAKI padahal saya distributor resmi.
id: Sudah edit sesuai arahan tapi produknya diblokir lagi. Salahnya di mana?
th~ สินค้าถูกลบ
th~ สินค้าโดนระงับ
th: สินค้า {product} ของร้านโดนลบเพราะ "สินค้าต้องห้าม" ทั้งที่เป็นของใช้ทั่วไป
th: สินค้า {n} รายการโดนระงับข้ามคืนโดยไม่แจ้งเหตุผล ยอดขายเป็นศูนย์เลยค่ะ
th: โดนลบสินค้าเพราะละเมิดลิขสิทธิ์ แต่ร้านเป็นตัวแทนจำหน่ายที่ได้รับอนุญาต
th: แก้ไขตามที่แจ้งแล้วก็ยังโดนแบนอีก ผิดตรงไหนครับ
vi~ sản phẩm bị gỡ
vi~ sản phẩm bị khóa
vi: Sản phẩm {product} của shop bị gỡ vì "hàng cấm" trong khi chỉ là đồ gia dụng bình thường.
vi: {n} sản phẩm bị ẩn qua đêm không rõ lý do, doanh số về 0.
vi: Bị gỡ sản phẩm vì vi phạm sở hữu trí tuệ nhưng shop là nhà phân phối chính thức.
vi: Đã sửa theo yêu cầu mà sản phẩm vẫn bị khóa lại. Sai chỗ nào vậy?
ms~ listing dibuang
ms~ produk kena takedown
ms: Listing {product} saya dibuang sebab "barang larangan" padahal barang biasa je.
ms: {n} listing kena delist semalam tanpa sebab, jualan terus jatuh kosong.
ms: Produk diturunkan sebab pelanggaran IP tapi saya pengedar sah.
ms: Dah edit ikut arahan tapi kena block lagi. Apa yang salah sebenarnya?
tl~ na-delist yung product ko
tl~ tinanggal yung listing
tl: Tinanggal yung listing ko ng {product} dahil "prohibited item" daw, normal na gamit lang yun.
tl: {n} listings ko na-delist overnight ng walang explanation, zero sales na.
tl: Na-take down dahil IP infringement daw pero authorized distributor kami.
tl: Inedit ko na ayon sa instructions pero na-block ulit. Ano ba talaga mali?
es~ eliminaron mi publicación
es~ producto dado de baja
es: Dieron de baja mi publicación de {product} por "artículo prohibido" y es un producto común.
es: {n} publicaciones desaparecieron de la noche a la mañana sin explicación, ventas en cero.
es: Quitaron el producto por infracción de propiedad intelectual pero soy distribuidor autorizado.
es: Edité la publicación como pidieron y la volvieron a bloquear. ¿Qué está mal?
pt~ anúncio removido
pt~ meu anúncio foi derrubado
pt: Meu anúncio de {product} foi removido por "item proibido", mas é um produto comum.
pt: {n} anúncios foram desativados de madrugada sem explicação, vendas zeraram.
pt: Derrubaram o anúncio por violação de marca, mas sou distribuidor autorizado.
pt: Editei como pediram e bloquearam de novo. O que está errado?
zh~ 商品被下架
zh~ 链接被删除
zh: 我的{product}被以"违禁品"为由下架了，明明是普通日用品。
zh: 一夜之间{n}个商品被下架，没有任何说明，销量直接归零。
zh: 说侵犯知识产权下架了，可是我们是品牌授权经销商。
zh: 按要求修改了商品信息，又被屏蔽了，到底哪里有问题？
""",
)

THEMES["fee_dispute"] = dict(
    kind="seller",
    category="seller_fees",
    pain=0.5,
    text="""
en~ commission too high
en~ wrong fees charged
en: The commission on my orders jumped from 6% to 9% without any notice.
en: I'm being charged a transaction fee and a service fee on the same order. That's double counting.
en: Why am I paying a shipping fee subsidy I never opted into? {amount} deducted this month.
en: Your fee breakdown doesn't add up, the admin fee is charged on the shipping cost too.
id~ biaya admin kemahalan
id~ potongan komisi ga sesuai
id: Komisi tiba-tiba naik dari 6% ke 9% tanpa pemberitahuan.
id: Satu pesanan kena biaya transaksi dan biaya layanan sekaligus, ini dobel.
id: Kenapa saya kena biaya program gratis ongkir padahal ga pernah ikut? Bulan ini dipotong {amount}.
id: Rincian biaya admin ga masuk akal, ongkir juga ikut dihitung biaya admin.
th~ ค่าคอมแพงเกิน
th~ โดนหักค่าธรรมเนียมผิด
th: ค่าคอมมิชชั่นขึ้นจาก 6% เป็น 9% โดยไม่แจ้งล่วงหน้าเลยค่ะ
th: ออเดอร์เดียวโดนเก็บทั้งค่าธรรมเนียมการชำระเงินและค่าบริการ ซ้ำซ้อนครับ
th: ทำไมโดนหักค่าโครงการส่งฟรี ทั้งที่ไม่เคยสมัคร เดือนนี้หักไป {amount}
th: รายละเอียดค่าธรรมเนียมไม่ถูกต้อง ค่าส่งก็โดนคิดค่าคอมด้วย
vi~ phí sàn quá cao
vi~ bị trừ phí sai
vi: Phí cố định tăng từ 6% lên 9% mà không thông báo gì.
vi: Một đơn bị thu cả phí thanh toán lẫn phí dịch vụ, tính trùng rồi.
vi: Sao shop bị trừ phí gói freeship trong khi không đăng ký? Tháng này mất {amount}.
vi: Bảng phí không khớp, phí vận chuyển cũng bị tính phí sàn.
ms~ komisen terlalu tinggi
ms~ caj yuran salah
ms: Komisen naik dari 6% ke 9% tanpa notis langsung.
ms: Satu order kena caj transaksi dan caj servis sekali, berganda ni.
ms: Kenapa kena yuran program free shipping padahal tak pernah join? Bulan ni tolak {amount}.
ms: Pecahan yuran tak masuk akal, kos penghantaran pun kena komisen.
tl~ ang taas ng commission
tl~ mali yung fees na kinaltas
tl: Tumaas yung commission from 6% to 9% ng walang abiso.
tl: Sa isang order may transaction fee at service fee pa, doble na yan.
tl: Bakit may free shipping program fee ako eh hindi naman ako nag-join? {amount} kinaltas ngayong buwan.
tl: Hindi tugma yung fee breakdown, pati shipping kinakaltasan ng commission.
es~ comisión demasiado alta
es~ cobro de tarifas incorrecto
es: La comisión subió del 6% al 9% sin aviso.
es: Me cobran tarifa por transacción y tarifa de servicio en el mismo pedido, es cobro doble.
es: ¿Por qué pago un programa de envío gratis al que nunca me inscribí? {amount} este mes.
es: El desglose de cargos no cuadra, también cobran comisión sobre el envío.
pt~ tarifa cobrada errada
pt~ comissão abusiva
pt: A comissão subiu de 12% para 16% sem nenhum aviso.
pt: Estão cobrando tarifa fixa e taxa de serviço no mesmo pedido, é cobrança dupla.
pt: Por que pago o programa de frete grátis se nunca aderi? {amount} descontados este mês.
pt: O detalhamento das tarifas não fecha, cobram comissão até sobre o frete.
zh~ 佣金太高
zh~ 手续费扣错了
zh: 佣金从6%涨到9%，完全没有通知。
zh: 同一个订单既收交易手续费又收服务费，重复收费了。
zh: 我从来没参加包邮计划，为什么这个月扣了{amount}？
zh: 费用明细对不上，连运费都被收了佣金。
""",
)

THEMES["pickup_missed"] = dict(
    kind="seller",
    category="seller_logistics",
    pain=0.5,
    text="""
en~ courier didn't pick up
en~ pickup missed again
en: {courier} was scheduled to pick up {n} parcels today and never showed up.
en: Third day in a row the driver skipped my pickup. Orders will be marked late.
en: Pickup status says "attempted" but nobody came to the warehouse.
en: My ship-by deadline is tomorrow and there is still no pickup slot available.
id~ kurir ga jemput paket
id~ pickup gagal terus
id: Kurir {courier} harusnya pickup {n} paket hari ini tapi ga dateng.
id: Udah 3 hari berturut-turut paket ga dijemput, pesanan bakal telat kirim.
id: Status pickup "gagal dijemput" padahal saya di toko seharian.
id: Batas kirim besok tapi jadwal pickup penuh terus. Tolong bantu.
th~ ขนส่งไม่มารับของ
th~ ไม่มารับพัสดุอีกแล้ว
th: {courier} นัดมารับพัสดุ {n} กล่องวันนี้ แต่ไม่มาเลยค่ะ
th: สามวันติดแล้วที่ไม่มีคนมารับของ ออเดอร์จะโดนนับว่าส่งช้า
th: สถานะขึ้นว่าเข้ารับแล้วไม่พบผู้ส่ง แต่ร้านเปิดอยู่ตลอดครับ
th: ต้องส่งของภายในพรุ่งนี้ แต่ยังจองรอบเข้ารับไม่ได้
vi~ shipper không đến lấy hàng
vi~ lấy hàng thất bại
vi: {courier} hẹn lấy {n} đơn hôm nay mà không thấy ai tới.
vi: Ba ngày liền shipper bỏ qua không lấy hàng, đơn sẽ bị tính giao trễ.
vi: Trạng thái báo "lấy hàng không thành công" trong khi shop mở cửa cả ngày.
vi: Hạn gửi hàng là ngày mai mà vẫn chưa có lịch lấy hàng.
ms~ courier tak datang pickup
ms~ pickup terlepas
ms: {courier} patut pickup {n} parcel harini tapi tak datang.
ms: Tiga hari berturut-turut rider skip pickup, order nanti jadi lewat.
ms: Status pickup "cubaan gagal" padahal kedai buka sepanjang hari.
ms: Deadline hantar esok tapi slot pickup takde.
tl~ hindi sinundo yung parcels
tl~ missed pickup ulit
tl: Naka-schedule si {courier} na mag-pickup ng {n} parcels ngayon pero hindi dumating.
tl: Tatlong araw na magkakasunod na hindi kinuha ng rider, late na tuloy orders ko.
tl: "Pickup attempted" daw pero walang pumunta sa warehouse namin.
tl: Bukas na yung ship-by date pero wala pa ring pickup slot.
es~ no pasaron a recolectar
es~ recolección fallida
es: {courier} tenía que recoger {n} paquetes hoy y nunca llegó.
es: Tercer día seguido que no pasan por mis envíos, los pedidos van a salir tarde.
es: La recolección aparece como "intentada" pero nadie vino a la bodega.
es: Mi fecha límite de envío es mañana y no hay horario de recolección disponible.
pt~ coleta não realizada
pt~ transportadora não veio buscar
pt: A transportadora {courier} tinha coleta de {n} pacotes hoje e não apareceu.
pt: Terceiro dia seguido sem coleta, meus pedidos vão ficar atrasados.
pt: O status diz "tentativa de coleta" mas ninguém veio ao depósito.
pt: O prazo de postagem é amanhã e não tem horário de coleta disponível.
zh~ 快递没来揽件
zh~ 揽收失败
zh: 约好{courier}今天来取{n}个包裹，一直没人来。
zh: 连续三天没来揽件，订单都要算发货超时了。
zh: 系统显示"揽收失败"，可是我们仓库一整天都有人。
zh: 明天就是发货截止时间，还是约不到上门取件。
""",
)

THEMES["account_suspended_seller"] = dict(
    kind="seller",
    category="seller_account",
    pain=0.9,
    text="""
en~ shop suspended
en~ seller account banned
en: My shop was suspended today with no warning. I have {n} orders waiting to ship.
en: Seller account deactivated for "policy violation" but nobody tells me which policy.
en: I submitted the verification documents twice and my store is still frozen.
en: Our entire store is offline because of a suspension. This is our only income.
id~ toko dibekukan
id~ akun seller disuspend
id: Toko saya dibekukan hari ini tanpa peringatan, masih ada {n} pesanan yang harus dikirim.
id: Akun seller dinonaktifkan karena "pelanggaran kebijakan" tapi ga dijelasin kebijakan yang mana.
id: Sudah kirim dokumen verifikasi 2x tapi toko masih dibekukan.
id: Seluruh toko offline gara-gara suspend, ini satu-satunya penghasilan saya.
th~ ร้านโดนระงับ
th~ บัญชีผู้ขายถูกแบน
th: ร้านโดนระงับวันนี้โดยไม่มีการเตือน มีออเดอร์ค้างส่ง {n} รายการค่ะ
th: บัญชีผู้ขายถูกปิดเพราะ "ละเมิดนโยบาย" แต่ไม่บอกว่านโยบายข้อไหน
th: ส่งเอกสารยืนยันตัวตนไปสองรอบแล้ว ร้านยังโดนแช่แข็งอยู่ครับ
th: ร้านออฟไลน์ทั้งร้านเพราะโดนแบน นี่คือรายได้ทางเดียวของเรา
vi~ shop bị khóa
vi~ tài khoản người bán bị đình chỉ
vi: Shop mình bị khóa hôm nay không hề báo trước, còn {n} đơn chưa gửi.
vi: Tài khoản người bán bị vô hiệu hóa vì "vi phạm chính sách" mà không nói rõ chính sách nào.
vi: Đã gửi giấy tờ xác minh hai lần mà shop vẫn bị đóng băng.
vi: Cả shop offline vì bị đình chỉ, đây là nguồn thu nhập duy nhất của mình.
ms~ kedai digantung
ms~ akaun seller kena ban
ms: Kedai saya digantung harini tanpa amaran, ada {n} order belum hantar.
ms: Akaun seller dinyahaktif sebab "langgar polisi" tapi tak cakap polisi mana.
ms: Dah hantar dokumen pengesahan dua kali tapi kedai masih dibekukan.
ms: Seluruh kedai offline sebab suspend, ni je sumber pendapatan kami.
tl~ na-suspend yung shop ko
tl~ banned seller account
tl: Na-suspend yung shop ko ngayon ng walang warning, may {n} orders pa akong ishi-ship.
tl: Na-deactivate yung seller account dahil "policy violation" pero hindi sinasabi kung anong policy.
tl: Dalawang beses na ako nag-submit ng verification documents pero frozen pa rin yung store.
tl: Offline yung buong store dahil sa suspension, ito lang source of income namin.
es~ tienda suspendida
es~ cuenta de vendedor bloqueada
es: Suspendieron mi tienda hoy sin aviso y tengo {n} pedidos por enviar.
es: Desactivaron mi cuenta de vendedor por "incumplir políticas" pero no dicen cuál.
es: Envié los documentos de verificación dos veces y la tienda sigue congelada.
es: Toda la tienda está fuera de línea por la suspensión, es nuestro único ingreso.
pt~ loja suspensa
pt~ conta de vendedor bloqueada
pt: Minha loja foi suspensa hoje sem aviso e tenho {n} pedidos para enviar.
pt: Desativaram a conta de vendedor por "violação de política" e não dizem qual.
pt: Mandei os documentos de verificação duas vezes e a loja continua congelada.
pt: A loja inteira está fora do ar por causa da suspensão, é nossa única renda.
zh~ 店铺被封了
zh~ 卖家账号被冻结
zh: 店铺今天突然被封，没有任何警告，还有{n}个订单没发货。
zh: 卖家账号因为"违反政策"被停用，但是没说违反了哪一条。
zh: 认证资料已经提交两次了，店铺还是被冻结。
zh: 整个店铺都下线了，这是我们唯一的收入来源。
""",
)

THEMES["penalty_points"] = dict(
    kind="seller",
    category="seller_account",
    pain=0.6,
    text="""
en~ unfair penalty points
en~ received penalty points
en: I got {n} penalty points for late shipment but the courier missed the pickup, not me.
en: Penalty points were added for a cancellation the buyer requested himself.
en: My shop is now in penalty tier 2 and I can't join campaigns. Please remove the wrong points.
en: Why do I have points for "non-fulfilment"? Every order was shipped on time.
id~ poin penalti ga adil
id~ dapat poin pelanggaran
id: Saya dapat {n} poin penalti karena telat kirim, padahal kurirnya yang ga pickup.
id: Kena poin penalti untuk pembatalan yang diminta pembeli sendiri.
id: Toko masuk level penalti 2 jadi ga bisa ikut kampanye. Tolong hapus poin yang salah.
id: Kenapa ada poin "pesanan tidak terpenuhi"? Semua pesanan dikirim tepat waktu.
th~ โดนแต้มโทษไม่ยุติธรรม
th~ ได้คะแนนลงโทษ
th: ร้านโดนแต้มโทษ {n} แต้มเพราะส่งช้า แต่ขนส่งไม่มารับของเองค่ะ
th: โดนแต้มโทษจากการยกเลิกที่ลูกค้าขอยกเลิกเอง
th: ร้านตอนนี้อยู่ระดับโทษขั้น 2 เข้าร่วมแคมเปญไม่ได้ ช่วยลบแต้มที่ผิดด้วยครับ
th: ทำไมมีแต้ม "ไม่สามารถจัดส่งได้" ทุกออเดอร์ส่งตรงเวลาหมด
vi~ bị điểm phạt oan
vi~ shop bị cộng điểm sao quả tạ
vi: Shop bị {n} điểm phạt vì giao trễ trong khi bên vận chuyển không tới lấy hàng.
vi: Bị tính điểm phạt cho đơn mà chính người mua yêu cầu hủy.
vi: Shop giờ bị hạn chế, không tham gia được chương trình khuyến mãi. Gỡ điểm sai giúp mình.
vi: Sao có điểm "không hoàn thành đơn"? Đơn nào cũng gửi đúng hạn.
ms~ mata penalti tak adil
ms~ dapat penalty points
ms: Dapat {n} mata penalti sebab lambat hantar, padahal courier yang tak pickup.
ms: Kena mata penalti untuk pembatalan yang pembeli sendiri minta.
ms: Kedai masuk tahap penalti 2, tak boleh join kempen. Tolong buang mata yang salah.
ms: Kenapa ada mata "tidak dipenuhi"? Semua order dihantar ikut masa.
tl~ unfair na penalty points
tl~ nagka-penalty points ako
tl: Nagka-{n} penalty points ako dahil late shipment daw, eh yung courier yung hindi nag-pickup.
tl: May penalty points dahil sa cancellation na si buyer mismo ang nag-request.
tl: Nasa penalty tier 2 na shop ko at hindi makasali sa campaigns. Pakitanggal yung maling points.
tl: Bakit may "non-fulfilment" points ako? On time naman lahat ng shipments.
es~ puntos de penalización injustos
es~ me pusieron sanción
es: Me pusieron {n} puntos de penalización por envío tardío, pero la paquetería no pasó a recoger.
es: Me sancionaron por una cancelación que pidió el propio comprador.
es: Mi tienda está en nivel de sanción 2 y no puedo entrar a campañas. Quiten los puntos erróneos.
es: ¿Por qué tengo puntos por "pedido no cumplido"? Todo se envió a tiempo.
pt~ pontos de penalidade injustos
pt~ recebi penalidade
pt: Recebi {n} pontos de penalidade por atraso no envio, mas a transportadora não fez a coleta.
pt: Tomei penalidade por um cancelamento que o próprio comprador pediu.
pt: Minha loja caiu para o nível de penalidade 2 e não posso entrar nas campanhas. Retirem os pontos errados.
pt: Por que tenho pontos de "pedido não atendido"? Enviei tudo no prazo.
zh~ 被扣分不合理
zh~ 店铺违规扣分
zh: 因为发货延迟被扣了{n}分，可是是快递没来揽件。
zh: 买家自己要求取消的订单也算我违规扣分。
zh: 店铺现在处罚等级2，活动都报不了名，请把错误的扣分撤销。
zh: 为什么有"未履约"扣分？每个订单都按时发货了。
""",
)

THEMES["ads_budget_overspent"] = dict(
    kind="seller",
    category="seller_ads",
    pain=0.5,
    text="""
en~ ads overspent budget
en~ ad spend exceeded daily limit
en: I set a daily ads budget of {amount2} but was charged {amount} yesterday.
en: My campaign kept running after I paused it and burned through my ad credit.
en: Ad spend exceeded the budget cap by almost double. Please refund the overspend.
en: The new automatic bidding spent my whole monthly ads balance in two days.
id~ iklan kelebihan budget
id~ saldo iklan kepotong lebih
id: Budget iklan harian saya set {amount2} tapi kemarin kepotong {amount}.
id: Iklan udah saya pause tapi tetap jalan dan ngabisin saldo iklan.
id: Biaya iklan melebihi batas anggaran hampir 2x lipat. Minta kelebihannya dikembalikan.
id: Fitur bid otomatis yang baru ngabisin saldo iklan sebulan dalam 2 hari.
th~ ค่าโฆษณาเกินงบ
th~ โฆษณาใช้เงินเกิน
th: ตั้งงบโฆษณาต่อวันไว้ {amount2} แต่เมื่อวานโดนหักไป {amount}
th: หยุดแคมเปญไปแล้วแต่โฆษณายังวิ่งต่อ เครดิตโฆษณาหมดเลยค่ะ
th: ค่าโฆษณาเกินงบที่ตั้งไว้เกือบสองเท่า ขอคืนส่วนที่เกินด้วยครับ
th: ระบบประมูลอัตโนมัติใหม่ใช้งบโฆษณาทั้งเดือนหมดในสองวัน
vi~ quảng cáo vượt ngân sách
vi~ chi phí ads bị trừ quá
vi: Shop đặt ngân sách quảng cáo {amount2}/ngày mà hôm qua bị trừ {amount}.
vi: Đã tạm dừng chiến dịch mà quảng cáo vẫn chạy, hết sạch tiền ads.
vi: Chi phí quảng cáo vượt ngân sách gần gấp đôi, hoàn lại phần vượt giúp shop.
vi: Tính năng đấu thầu tự động mới đốt hết ngân sách cả tháng trong 2 ngày.
ms~ iklan lebih bajet
ms~ ads spend melebihi had
ms: Bajet iklan harian saya {amount2} tapi semalam kena caj {amount}.
ms: Dah pause kempen tapi iklan masih jalan dan habiskan kredit iklan.
ms: Perbelanjaan iklan lebih had hampir dua kali ganda. Tolong refund lebihan.
ms: Auto bidding baru habiskan baki iklan sebulan dalam dua hari.
tl~ lumagpas sa budget yung ads
tl~ overspent ang ads ko
tl: Nag-set ako ng daily ads budget na {amount2} pero {amount} ang na-charge kahapon.
tl: Naka-pause na yung campaign pero tumatakbo pa rin at naubos ang ad credit ko.
tl: Halos doble yung lagpas ng ad spend sa budget cap. Pa-refund ng sobra.
tl: Inubos ng bagong auto bidding yung buong buwang ads balance ko sa dalawang araw.
es~ los anuncios gastaron de más
es~ se pasó el presupuesto de publicidad
es: Puse un presupuesto diario de {amount2} y ayer me cobraron {amount}.
es: La campaña siguió activa después de pausarla y se acabó mi crédito de anuncios.
es: El gasto en anuncios superó el tope casi al doble. Reembolsen el excedente.
es: La nueva puja automática gastó todo mi saldo mensual en dos días.
pt~ anúncios estouraram o orçamento
pt~ gasto com ads acima do limite
pt: Defini orçamento diário de {amount2} nos anúncios e ontem cobraram {amount}.
pt: Pausei a campanha mas ela continuou rodando e consumiu meus créditos.
pt: O gasto com anúncios passou quase o dobro do limite. Devolvam o excedente.
pt: O novo lance automático gastou o saldo do mês inteiro em dois dias.
zh~ 广告超预算
zh~ 推广费扣多了
zh: 我设置的每日广告预算是{amount2}，昨天却扣了{amount}。
zh: 广告已经暂停了还在跑，推广余额全部烧光了。
zh: 广告花费超过预算上限将近一倍，请退还超出的部分。
zh: 新的自动出价两天就把整个月的广告预算花完了。
""",
)

THEMES["api_integration_error"] = dict(
    kind="seller",
    category="seller_tools",
    pain=0.4,
    text="""
en~ API error
en~ open API returning errors
en: Our ERP integration started failing this morning, every call returns {code}.
en: The order list API times out since the last update, we can't pull new orders.
en: Access token refresh keeps failing with "invalid signature" although nothing changed on our side.
en: Webhook notifications stopped arriving on {date}. Our warehouse system is blind.
id~ API error terus
id~ integrasi API gagal
id: Integrasi ERP kami error sejak pagi, semua request balikin {code}.
id: API daftar pesanan timeout terus sejak update kemarin, pesanan baru ga bisa ditarik.
id: Refresh access token gagal "invalid signature", padahal dari sisi kami ga ada perubahan.
id: Webhook notifikasi berhenti sejak {date}, sistem gudang ga dapat pesanan baru.
th~ API ใช้งานไม่ได้
th~ เชื่อมต่อ API error
th: ระบบ ERP ที่เชื่อมกับ API ล่มตั้งแต่เช้า เรียกทุกครั้งได้ {code}
th: API ดึงรายการออเดอร์ timeout ตลอดหลังอัปเดตล่าสุด ดึงออเดอร์ใหม่ไม่ได้
th: รีเฟรช access token ไม่ผ่าน ขึ้น invalid signature ทั้งที่ฝั่งเราไม่ได้แก้อะไร
th: webhook ไม่ส่งแจ้งเตือนมาตั้งแต่ {date} ระบบคลังสินค้าไม่รู้ว่ามีออเดอร์
vi~ lỗi API
vi~ kết nối API bị lỗi
vi: Hệ thống ERP kết nối qua API bị lỗi từ sáng, gọi lần nào cũng trả về {code}.
vi: API lấy danh sách đơn bị timeout từ bản cập nhật gần nhất, không kéo được đơn mới.
vi: Làm mới access token cứ báo "invalid signature" dù bên mình không thay đổi gì.
vi: Webhook ngừng gửi thông báo từ {date}, hệ thống kho không nhận được đơn.
ms~ ralat API
ms~ integrasi API gagal
ms: Integrasi ERP kami gagal sejak pagi, semua call pulangkan {code}.
ms: API senarai order timeout sejak update terakhir, tak dapat tarik order baru.
ms: Refresh access token asyik gagal "invalid signature" walaupun takde perubahan pada sistem kami.
ms: Webhook berhenti hantar notifikasi sejak {date}.
tl~ API error po
tl~ sira yung API integration
tl: Yung ERP integration namin nagfe-fail since this morning, lahat ng calls nagre-return ng {code}.
tl: Nagti-timeout yung order list API mula nung last update, hindi namin makuha yung new orders.
tl: Laging fail yung access token refresh, "invalid signature" daw kahit walang binago sa side namin.
tl: Hindi na dumadating yung webhook notifications since {date}.
es~ error en la API
es~ falla la integración
es: Nuestra integración con el ERP falla desde la mañana, cada llamada devuelve {code}.
es: La API de pedidos da timeout desde la última actualización, no podemos descargar pedidos nuevos.
es: La renovación del token falla con "invalid signature" y no cambiamos nada.
es: Los webhooks dejaron de llegar el {date}. Nuestro almacén no ve los pedidos.
pt~ erro na API
pt~ integração parou
pt: Nossa integração com o ERP está falhando desde cedo, toda chamada retorna {code}.
pt: A API de pedidos dá timeout desde a última atualização, não conseguimos puxar pedidos novos.
pt: A renovação do token dá "invalid signature" e não mudamos nada do nosso lado.
pt: Os webhooks pararam de chegar em {date}. O hub não recebe os pedidos.
zh~ 接口报错
zh~ API对接出问题
zh: 我们的ERP对接从早上开始失败，每次调用都返回{code}。
zh: 上次更新以后订单列表接口一直超时，拉不到新订单。
zh: 刷新access token一直报"invalid signature"，我们这边什么都没改。
zh: 从{date}开始收不到webhook推送，仓库系统看不到订单。
""",
)

THEMES["stock_sync_issue"] = dict(
    kind="seller",
    category="seller_tools",
    pain=0.4,
    text="""
en~ stock not syncing
en~ inventory wrong on listings
en: Stock levels stopped syncing from our warehouse, listings show {n} units but we have zero.
en: We oversold {n} orders because the inventory didn't update. Now we're getting cancellation penalties.
en: I update stock in seller center and it reverts to the old number after an hour.
en: Variants show out of stock even though all sizes are available.
id~ stok ga sinkron
id~ stok produk ga update
id: Stok dari gudang ga sinkron lagi, di toko tertulis {n} padahal kosong.
id: Kejual {n} pesanan lebih karena stok ga update, sekarang kena penalti pembatalan.
id: Udah update stok di seller center, sejam kemudian balik ke angka lama.
id: Varian ukuran tampil habis padahal semua ada stoknya.
th~ สต็อกไม่ซิงค์
th~ จำนวนสินค้าไม่อัปเดต
th: สต็อกจากคลังไม่ซิงค์ หน้าร้านขึ้น {n} ชิ้นแต่ของหมดแล้วค่ะ
th: ขายเกินไป {n} ออเดอร์เพราะสต็อกไม่อัปเดต ตอนนี้โดนแต้มยกเลิกอีก
th: แก้จำนวนสต็อกใน seller center แล้ว ผ่านไปชั่วโมงนึงกลับเป็นตัวเลขเดิม
th: ตัวเลือกสินค้าขึ้นว่าหมด ทั้งที่มีครบทุกไซส์ครับ
vi~ tồn kho không đồng bộ
vi~ số lượng tồn kho sai
vi: Tồn kho từ kho hàng không đồng bộ nữa, trên shop hiện {n} sản phẩm mà thực tế hết rồi.
vi: Bán vượt {n} đơn vì tồn kho không cập nhật, giờ bị phạt hủy đơn.
vi: Cập nhật tồn kho trên kênh người bán xong một tiếng sau lại về số cũ.
vi: Phân loại hiện hết hàng trong khi size nào cũng còn.
ms~ stok tak sync
ms~ inventori tak update
ms: Stok dari gudang tak sync, listing tunjuk {n} unit padahal dah habis.
ms: Terlebih jual {n} order sebab stok tak update, sekarang kena penalti batal.
ms: Update stok dalam seller centre tapi sejam lepas tu balik nombor lama.
ms: Variasi tunjuk habis stok walaupun semua saiz ada.
tl~ hindi nagsi-sync yung stocks
tl~ mali yung inventory sa listing
tl: Hindi na nagsi-sync yung stock galing warehouse, {n} units nakalagay pero ubos na.
tl: Na-oversell kami ng {n} orders kasi hindi nag-update yung inventory, may cancellation penalty pa.
tl: Ina-update ko yung stock sa seller center tapos bumabalik sa dati after an hour.
tl: Out of stock daw yung variations kahit available lahat ng sizes.
es~ el inventario no se sincroniza
es~ stock incorrecto en publicaciones
es: El stock dejó de sincronizarse desde el almacén, las publicaciones muestran {n} unidades y no hay.
es: Vendimos {n} pedidos de más porque el inventario no se actualizó y ahora nos penalizan.
es: Actualizo el stock en el panel de vendedor y a la hora vuelve al número anterior.
es: Las variantes aparecen agotadas aunque todas las tallas están disponibles.
pt~ estoque não sincroniza
pt~ estoque errado nos anúncios
pt: O estoque parou de sincronizar com o depósito, os anúncios mostram {n} unidades e não tem nada.
pt: Vendemos {n} pedidos a mais porque o estoque não atualizou, agora vem penalidade de cancelamento.
pt: Atualizo o estoque no painel do vendedor e depois de uma hora volta o número antigo.
pt: As variações aparecem esgotadas mesmo com todos os tamanhos disponíveis.
zh~ 库存不同步
zh~ 商品库存不对
zh: 仓库库存不同步了，商品页显示还有{n}件，其实已经没货了。
zh: 因为库存没更新超卖了{n}单，现在还被罚取消率。
zh: 在卖家中心改了库存，一个小时后又变回原来的数字。
zh: 规格显示缺货，可是每个尺码都有货。
""",
)
