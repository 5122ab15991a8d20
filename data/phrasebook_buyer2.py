"""Buyer themes, part 2: missing parts, cancellation, payments, vouchers, COD, account, counterfeit.

Same block format as phrasebook_buyer1 (``lang~`` terse, ``lang:`` body).
"""

THEMES = {}

THEMES["missing_parts"] = dict(
    kind="buyer",
    category="order_issue",
    pain=0.5,
    text="""
en~ missing items in package
en~ parts missing
en: Ordered {n} items but only got one in the box.
en: The {product} came without the charger and the manual. The listing says it's included.
en: Package was incomplete, the screws and one of the legs are missing.
en: Only half my order arrived and the app says it's all delivered.
id~ barang kurang
id~ isi paket ga lengkap
id: Pesan {n} pcs tapi yang datang cuma 1, sisanya kemana?
id: {product} datang tanpa charger dan buku manual, padahal di deskripsi lengkap.
id: Paketnya ga lengkap kak, bautnya kurang jadi ga bisa dirakit.
id: Cuma setengah pesanan yang sampai, tapi status sudah selesai.
th~ ของไม่ครบ
th~ ได้ของขาดไปชิ้นนึง
th: สั่งไป {n} ชิ้น แต่ได้มาแค่ชิ้นเดียวค่ะ
th: {product} ไม่มีสายชาร์จกับคู่มือมาด้วย ในหน้าร้านบอกว่ามีครบ
th: อุปกรณ์ไม่ครบ น็อตหายไปหลายตัว ประกอบไม่ได้เลยครับ
th: ได้ของมาแค่ครึ่งเดียว แต่ระบบขึ้นว่าส่งครบแล้ว
vi~ giao thiếu hàng
vi~ thiếu phụ kiện
vi: Mình đặt {n} món mà trong hộp chỉ có 1.
vi: {product} không kèm sạc và sách hướng dẫn, trong mô tả ghi là có đủ.
vi: Thiếu ốc vít với một chân bàn nên không lắp được.
vi: Chỉ nhận được một nửa đơn hàng mà app báo giao đủ rồi.
ms~ barang tak cukup
ms~ ada part hilang
ms: Order {n} barang tapi dalam kotak ada satu je.
ms: {product} sampai tanpa charger dan manual, listing kata ada.
ms: Skru tak cukup, tak boleh pasang langsung.
ms: Separuh je order yang sampai tapi status dah delivered.
tl~ kulang yung items
tl~ may kulang sa parcel
tl: {n} pcs inorder ko pero isa lang ang laman ng box.
tl: Walang kasamang charger at manual yung {product}, sabi sa listing complete daw.
tl: Kulang yung screws kaya hindi ko ma-assemble.
tl: Kalahati lang ng order ko dumating pero completed na daw sa app.
es~ faltan piezas
es~ pedido incompleto
es: Pedí {n} artículos y en la caja solo venía uno.
es: El {product} llegó sin cargador ni manual, y la publicación dice que los incluye.
es: Faltan tornillos y una pata, no lo puedo armar.
es: Llegó la mitad del pedido y en la app aparece como entregado completo.
pt~ faltando peças
pt~ pedido veio incompleto
pt: Comprei {n} itens e só veio um na caixa.
pt: O {product} veio sem carregador e sem manual, e no anúncio diz que acompanha.
pt: Faltaram os parafusos, não consigo montar.
pt: Chegou só metade do pedido e o app diz que foi tudo entregue.
zh~ 少发了东西
zh~ 配件不全
zh: 我买了{n}件，箱子里只有一件。
zh: {product}没有充电器也没有说明书，商品页写的是全套的。
zh: 螺丝少了好几颗，根本装不起来。
zh: 只收到一半的货，系统却显示已全部送达。
""",
)

THEMES["cancel_order_request"] = dict(
    kind="buyer",
    category="orders",
    pain=0.3,
    text="""
en~ please cancel my order
en~ cancel order
en: I placed the order by mistake, please cancel it before it ships.
en: The cancel button is greyed out. I need to cancel this order today.
en: I want to cancel, the seller hasn't shipped after {days} days.
en: Ordered the wrong size, can you cancel and I'll reorder?
id~ mau cancel pesanan
id~ tolong batalkan pesanan
id: Kak saya salah pesan, tolong dibatalkan sebelum dikirim ya.
id: Tombol batalkan ga bisa diklik, saya mau cancel order hari ini.
id: Seller belum kirim juga udah {days} hari, saya mau batalin aja.
id: Salah pilih varian, bisa cancel dulu? nanti saya order ulang.
th~ ขอยกเลิกคำสั่งซื้อ
th~ อยาก cancel order
th: กดสั่งผิดค่ะ รบกวนยกเลิกก่อนร้านส่งของได้ไหม
th: ปุ่มยกเลิกกดไม่ได้ อยากยกเลิกออเดอร์นี้ด่วนครับ
th: ร้านยังไม่ส่งของเลย {days} วันแล้ว ขอ cancel ได้ไหม
th: เลือกไซส์ผิด ขอยกเลิกแล้วจะสั่งใหม่ค่ะ
vi~ hủy đơn giúp mình
vi~ muốn hủy đơn hàng
vi: Mình lỡ đặt nhầm, hủy giúp mình trước khi shop gửi hàng nhé.
vi: Nút hủy đơn bị mờ không bấm được, mình cần hủy ngay hôm nay.
vi: Đã {days} ngày shop chưa gửi hàng, mình muốn hủy đơn.
vi: Đặt nhầm size rồi, hủy giúp mình để đặt lại.
ms~ nak cancel order
ms~ tolong batalkan pesanan
ms: Tersalah order, tolong cancel sebelum seller hantar.
ms: Butang batal tak boleh tekan, saya nak batalkan hari ni.
ms: Seller tak hantar lagi dah {days} hari, saya nak cancel.
ms: Salah pilih saiz, boleh batalkan dulu? Nanti saya order semula.
tl~ pa-cancel po ng order
tl~ cancel order please
tl: Nagkamali po ako ng order, paki-cancel bago i-ship.
tl: Hindi ma-click yung cancel button, kailangan ko i-cancel ngayon.
tl: {days} days na hindi pa shini-ship ng seller, cancel ko na lang.
tl: Mali yung size na napili ko, pa-cancel para makapag-order ulit.
es~ quiero cancelar mi pedido
es~ cancelar compra
es: Hice el pedido por error, cancélenlo antes de que lo envíen por favor.
es: El botón de cancelar está deshabilitado y necesito cancelar hoy.
es: El vendedor no ha enviado nada en {days} días, quiero cancelar.
es: Me equivoqué de talla, ¿pueden cancelar para volver a comprar?
pt~ quero cancelar o pedido
pt~ cancelamento de compra
pt: Fiz o pedido sem querer, cancelem antes do envio por favor.
pt: O botão de cancelar está cinza, preciso cancelar hoje.
pt: O vendedor não enviou em {days} dias, quero cancelar.
pt: Escolhi o tamanho errado, podem cancelar que eu compro de novo?
zh~ 我要取消订单
zh~ 申请取消订单
zh: 我下错单了，麻烦在发货前帮我取消。
zh: 取消按钮是灰色的点不了，今天必须取消这个订单。
zh: 卖家{days}天都没发货，我要取消订单。
zh: 尺码选错了，可以先取消吗？我重新下单。
""",
)

THEMES["payment_failed"] = dict(
    kind="buyer",
    category="payments",
    pain=0.5,
    text="""
en~ payment failed
en~ can't pay for my order
en: Checkout keeps failing with "transaction declined" even though my card works everywhere else.
en: Tried to pay {n} times, each time it says payment unsuccessful. Order gets cancelled.
en: Payment failed but money was debited from my bank account. Order shows unpaid.
en: The payment page freezes after I enter the OTP. Error {code}.
id~ pembayaran gagal
id~ ga bisa bayar
id: Mau bayar pakai kartu selalu gagal "transaksi ditolak", padahal kartunya normal.
id: Udah coba bayar {n} kali tetap gagal, pesanan malah kebatalin otomatis.
id: Pembayaran gagal tapi saldo rekening kepotong {amount}, status masih belum dibayar.
id: Habis masukin OTP halamannya loading terus, muncul error {code}.
th~ ชำระเงินไม่สำเร็จ
th~ จ่ายเงินไม่ผ่าน
th: ชำระด้วยบัตรไม่ผ่านตลอด ขึ้นว่าธุรกรรมถูกปฏิเสธ ทั้งที่บัตรใช้ที่อื่นได้
th: ลองจ่าย {n} รอบแล้วก็ไม่สำเร็จ ออเดอร์ถูกยกเลิกเองเลย
th: จ่ายเงินไม่สำเร็จแต่เงินในบัญชีถูกตัดไป {amount} แล้วค่ะ
th: ใส่ OTP แล้วหน้าจอค้าง ขึ้น error {code}
vi~ thanh toán không thành công
vi~ không thanh toán được
vi: Thanh toán bằng thẻ cứ báo "giao dịch bị từ chối" dù thẻ vẫn dùng bình thường.
vi: Thử thanh toán {n} lần đều lỗi, đơn hàng bị hủy luôn.
vi: Thanh toán thất bại nhưng tài khoản bị trừ {amount}, đơn vẫn chưa thanh toán.
vi: Nhập OTP xong thì trang treo, báo lỗi {code}.
ms~ pembayaran gagal
ms~ tak boleh bayar
ms: Bayar guna kad asyik gagal "transaksi ditolak", kad ok je kat tempat lain.
ms: Dah cuba bayar {n} kali, semua gagal dan order kena batal.
ms: Payment failed tapi duit dah ditolak {amount} dari akaun bank.
ms: Lepas masuk TAC skrin jadi beku, keluar error {code}.
tl~ payment failed po
tl~ ayaw pumasok ng bayad ko
tl: Laging "transaction declined" kapag nagbabayad ako gamit card, okay naman yung card ko.
tl: {n} beses ko na sinubukan magbayad pero failed pa rin, na-cancel pa yung order.
tl: Failed daw yung payment pero nabawasan na ng {amount} yung account ko.
tl: Nag-hang pagkatapos ko ilagay yung OTP, may error {code}.
es~ falló el pago
es~ no puedo pagar
es: El pago con tarjeta siempre sale "transacción rechazada" y la tarjeta funciona en otros sitios.
es: Intenté pagar {n} veces y siempre falla, el pedido se canceló solo.
es: El pago falló pero me descontaron {amount} de la cuenta.
es: Después de poner el código de verificación la página se congela, error {code}.
pt~ pagamento recusado
pt~ não consigo pagar
pt: O pagamento no cartão sempre dá "transação recusada", e o cartão funciona normal.
pt: Tentei pagar {n} vezes e falhou todas, o pedido foi cancelado.
pt: O Pix deu erro mas o valor de {amount} saiu da minha conta.
pt: Depois de colocar o código a tela trava, aparece erro {code}.
zh~ 支付失败
zh~ 付不了款
zh: 用信用卡付款一直显示"交易被拒绝"，卡在别的地方都能用。
zh: 试了{n}次都支付失败，订单还被自动取消了。
zh: 显示支付失败，但是银行卡已经扣了{amount}，订单还是未付款。
zh: 输入验证码以后页面卡住，提示错误{code}。
""",
)

THEMES["double_charged"] = dict(
    kind="buyer",
    category="payments",
    pain=0.8,
    text="""
en~ charged twice
en~ double charge on my card
en: I was charged twice for the same order, {amount} two times on my statement.
en: My card shows two identical payments of {amount}. Please refund the duplicate.
en: Paid once, got debited twice. The app only shows one order.
en: Duplicate transaction after the app crashed during checkout.
id~ kepotong 2x
id~ saldo terpotong dua kali
id: Saya bayar sekali tapi saldo kepotong 2 kali masing-masing {amount}.
id: Di mutasi ada dua transaksi sama persis {amount}, tolong yang satu dikembalikan.
id: Aplikasi sempat error pas checkout, ternyata tagihan masuk dobel.
id: Pesanan cuma satu tapi tagihan kartu kredit ada dua. Gimana ini?
th~ โดนตัดเงินสองครั้ง
th~ ตัดบัตรซ้ำ
th: จ่ายครั้งเดียวแต่โดนตัดเงินสองรอบ รอบละ {amount}
th: ในสเตทเมนต์บัตรมีรายการ {amount} ซ้ำกันสองรายการ ช่วยคืนเงินส่วนที่ซ้ำด้วย
th: แอปเด้งตอนชำระเงิน แล้วโดนตัดเงินซ้ำครับ
th: ออเดอร์มีแค่อันเดียว แต่โดนเก็บเงินสองครั้งค่ะ
vi~ bị trừ tiền 2 lần
vi~ thanh toán bị trùng
vi: Mình chỉ thanh toán một lần mà bị trừ 2 lần, mỗi lần {amount}.
vi: Sao kê thẻ có hai giao dịch {amount} giống hệt nhau, hoàn lại giúp mình một cái.
vi: App bị văng lúc thanh toán, xong bị trừ tiền trùng.
vi: Chỉ có một đơn hàng mà bị thu tiền hai lần.
ms~ kena caj dua kali
ms~ double charge
ms: Saya bayar sekali tapi kena tolak dua kali, {amount} setiap satu.
ms: Penyata kad ada dua transaksi {amount} yang sama. Tolong refund satu.
ms: App crash masa checkout, lepas tu kena caj berganda.
ms: Satu order je tapi kena bayar dua kali.
tl~ na-double charge ako
tl~ dalawang beses akong nasingil
tl: Isang beses lang ako nagbayad pero dalawang beses nabawasan, tig-{amount}.
tl: May dalawang same transaction na {amount} sa statement ko. Pa-refund yung isa.
tl: Nag-crash yung app habang nagche-checkout tapos double charge na.
tl: Isa lang yung order ko pero dalawang beses akong siningil.
es~ cobro duplicado
es~ me cobraron dos veces
es: Me cobraron dos veces el mismo pedido, {amount} cada cargo.
es: En mi estado de cuenta aparecen dos cargos iguales de {amount}. Devuelvan uno.
es: La app se cerró al pagar y terminó cobrándome doble.
es: Solo hice un pedido pero tengo dos cargos en la tarjeta.
pt~ cobrança em duplicidade
pt~ cobraram duas vezes
pt: Fui cobrado duas vezes pelo mesmo pedido, {amount} cada.
pt: Na fatura do cartão aparecem duas compras iguais de {amount}. Estornem uma.
pt: O app fechou no pagamento e a cobrança veio em dobro.
pt: Fiz um pedido só e fui cobrada duas vezes.
zh~ 被重复扣款
zh~ 扣了两次钱
zh: 同一个订单扣了我两次钱，每次{amount}。
zh: 信用卡账单上有两笔一样的{amount}，请退回重复的那笔。
zh: 结账的时候App闪退，结果重复扣款了。
zh: 我只下了一个单，却被收了两次钱。
""",
)

THEMES["voucher_not_applied"] = dict(
    kind="buyer",
    category="promotions",
    pain=0.4,
    text="""
en~ voucher not working
en~ promo code not applied
en: The voucher shows as claimed but the discount didn't apply at checkout.
en: Free shipping voucher disappeared after I placed the order, I paid full shipping.
en: Promo code says "not eligible" even though my cart is above the minimum spend.
en: I was charged {amount} instead of {amount2}, the discount code was ignored.
id~ voucher ga bisa dipakai
id~ diskon ga kepotong
id: Voucher udah diklaim tapi pas checkout diskonnya ga kepotong.
id: Voucher gratis ongkir hilang setelah bikin pesanan, jadi bayar ongkir full.
id: Kode promo bilang "tidak memenuhi syarat", padahal belanja udah lewat minimum.
id: Harusnya bayar {amount2} pake voucher, malah ketagih {amount}.
th~ ใช้โค้ดส่วนลดไม่ได้
th~ voucher ไม่ลด
th: เก็บโค้ดแล้ว แต่ตอนชำระเงินไม่ลดราคาให้ค่ะ
th: โค้ดส่งฟรีหายไปหลังกดสั่งซื้อ เลยต้องจ่ายค่าส่งเต็ม
th: ใส่โค้ดแล้วขึ้นว่าไม่ตรงเงื่อนไข ทั้งที่ยอดซื้อถึงขั้นต่ำแล้ว
th: ควรจ่าย {amount2} แต่โดนเก็บ {amount} ส่วนลดไม่ทำงานครับ
vi~ không áp dụng được voucher
vi~ mã giảm giá bị lỗi
vi: Đã lưu voucher mà lúc thanh toán không được giảm giá.
vi: Mã freeship biến mất sau khi đặt hàng, mình phải trả full phí ship.
vi: Nhập mã báo "không đủ điều kiện" dù đơn đã trên mức tối thiểu.
vi: Đáng lẽ chỉ trả {amount2} mà bị tính {amount}, mã giảm giá không ăn.
ms~ baucar tak boleh guna
ms~ voucher tak apply
ms: Voucher dah claim tapi masa checkout diskaun tak masuk.
ms: Voucher free shipping hilang lepas order, kena bayar penuh.
ms: Kod promo kata "tidak layak" walaupun dah cukup min spend.
ms: Patut bayar {amount2} je tapi kena charge {amount}.
tl~ ayaw gumana ng voucher
tl~ hindi nabawas yung discount
tl: Na-claim ko na yung voucher pero hindi nabawas sa checkout.
tl: Nawala yung free shipping voucher pagka-place ng order, full shipping tuloy binayaran ko.
tl: "Not eligible" daw yung promo code kahit lagpas na sa minimum spend.
tl: Dapat {amount2} lang babayaran ko pero {amount} ang na-charge.
es~ el cupón no se aplicó
es~ código de descuento no funciona
es: El cupón aparece como reclamado pero no se aplicó el descuento al pagar.
es: El cupón de envío gratis desapareció al hacer el pedido y pagué el envío completo.
es: El código dice "no elegible" aunque mi carrito supera el mínimo.
es: Me cobraron {amount} en lugar de {amount2}, ignoraron el descuento.
pt~ cupom não aplicado
pt~ cupom não funciona
pt: O cupom aparece como resgatado mas o desconto não entrou no pagamento.
pt: O cupom de frete grátis sumiu depois que finalizei a compra.
pt: O código diz "não elegível" mesmo com o carrinho acima do valor mínimo.
pt: Era pra pagar {amount2} com o cupom e cobraram {amount}.
zh~ 优惠券用不了
zh~ 折扣没生效
zh: 优惠券显示已领取，但是结算的时候没有减。
zh: 下单以后免运费券不见了，运费全额付了。
zh: 输入优惠码提示"不符合条件"，可是已经满了最低消费。
zh: 用券应该只付{amount2}，结果扣了{amount}。
""",
)

THEMES["cod_refusal_fee"] = dict(
    kind="buyer",
    category="payments",
    pain=0.5,
    text="""
en~ COD fee charged after refusing parcel
en~ penalty for rejecting cod
en: I refused a cash-on-delivery parcel because it was the wrong item, now my account is charged a fee.
en: Why can't I use COD anymore? I only refused one package that arrived late.
en: The courier asked me for {amount} extra on a COD parcel, more than the app showed.
en: A failed COD delivery fee was deducted from my wallet. I was never even called.
id~ ga bisa COD lagi
id~ kena denda tolak paket COD
id: Saya tolak paket COD karena barangnya salah, sekarang malah kena biaya penalti.
id: Kenapa akun saya ga bisa pilih COD lagi? Cuma sekali nolak paket yang telat.
id: Kurir minta bayar {amount} waktu COD, lebih mahal dari yang di aplikasi.
id: Saldo saya dipotong biaya gagal COD, padahal kurir ga pernah nelpon.
th~ โดนปิดเก็บเงินปลายทาง
th~ ปฏิเสธรับของ COD แล้วโดนค่าปรับ
th: ปฏิเสธรับพัสดุเก็บเงินปลายทางเพราะของผิด ตอนนี้โดนเก็บค่าธรรมเนียมค่ะ
th: ทำไมเลือก COD ไม่ได้แล้ว ปฏิเสธไปแค่ครั้งเดียวเพราะของมาช้า
th: คนส่งของเรียกเก็บเงินปลายทาง {amount} มากกว่าที่แสดงในแอป
th: โดนหักค่าส่งไม่สำเร็จ ทั้งที่ไม่มีใครโทรมาเลยครับ
vi~ bị khóa COD
vi~ bị phạt vì boom hàng
vi: Mình từ chối nhận đơn COD vì giao sai hàng, giờ tài khoản bị tính phí phạt.
vi: Sao mình không chọn được thanh toán khi nhận hàng nữa? Mới từ chối có một đơn giao trễ.
vi: Shipper đòi thu {amount} khi giao COD, cao hơn số tiền trên app.
vi: Bị trừ phí giao hàng thất bại trong khi shipper không gọi cuộc nào.
ms~ tak boleh pilih COD
ms~ kena caj sebab tolak parcel COD
ms: Saya tolak parcel COD sebab barang salah, sekarang kena caj penalti.
ms: Kenapa akaun saya dah tak boleh COD? Sekali je tolak parcel yang lambat.
ms: Rider minta {amount} masa COD, lebih dari harga dalam app.
ms: Kena potong caj COD gagal padahal rider tak pernah call.
tl~ hindi na pwede COD
tl~ may fee dahil nag-refuse ng COD
tl: Ni-refuse ko yung COD parcel kasi mali yung item, ngayon may penalty fee na ako.
tl: Bakit hindi na ako makapag-COD? Isang beses lang ako nag-reject ng late na parcel.
tl: Humingi yung rider ng {amount} sa COD, mas mataas sa nakalagay sa app.
tl: Binawasan yung wallet ko ng failed delivery fee, hindi naman ako tinawagan.
es~ me bloquearon el pago contra entrega
es~ cargo por rechazar paquete
es: Rechacé un paquete de pago contra entrega porque era el artículo equivocado y ahora me cobran una penalización.
es: ¿Por qué ya no puedo pagar contra entrega? Solo rechacé un paquete que llegó tarde.
es: El repartidor me pidió {amount} en efectivo, más de lo que decía la app.
es: Me descontaron una tarifa de entrega fallida y nunca me llamaron.
pt~ não consigo mais pagar na entrega
pt~ taxa por recusar encomenda
pt: Recusei uma encomenda com pagamento na entrega porque veio errada e agora cobraram uma taxa.
pt: Por que a opção de pagar na entrega sumiu? Só recusei um pacote atrasado.
pt: O entregador cobrou {amount}, mais do que aparecia no app.
pt: Descontaram taxa de entrega mal sucedida sem ninguém me ligar.
zh~ 货到付款被停用了
zh~ 拒收被罚款
zh: 货到付款的包裹发错货我拒收了，现在账户被扣了手续费。
zh: 为什么我不能选货到付款了？只拒收过一次迟到的包裹。
zh: 快递员收货款收了{amount}，比App上显示的多。
zh: 被扣了派送失败的费用，快递员根本没打过电话。
""",
)

THEMES["account_locked_buyer"] = dict(
    kind="buyer",
    category="account",
    pain=0.6,
    text="""
en~ account locked
en~ can't log in
en: My account got locked after I changed my phone. The OTP never arrives.
en: It says "account temporarily restricted for security reasons". I did nothing wrong.
en: Can't log in, keeps saying too many attempts. I have an order in progress.
en: Account frozen and my wallet balance of {amount} is stuck inside.
id~ akun terkunci
id~ ga bisa login
id: Akun saya terkunci setelah ganti HP, kode OTP ga pernah masuk.
id: Muncul tulisan "akun dibatasi sementara demi keamanan", saya ga ngapa-ngapain.
id: Ga bisa login kak, katanya terlalu banyak percobaan. Ada pesanan yang lagi jalan.
id: Akun dibekukan, saldo {amount} saya nyangkut di dalam.
th~ บัญชีถูกล็อค
th~ ล็อกอินไม่ได้
th: บัญชีโดนล็อคหลังเปลี่ยนมือถือ OTP ไม่เข้าเลยค่ะ
th: ขึ้นว่าบัญชีถูกจำกัดชั่วคราวเพื่อความปลอดภัย ไม่ได้ทำอะไรผิดเลย
th: เข้าสู่ระบบไม่ได้ ขึ้นว่าลองหลายครั้งเกินไป มีออเดอร์ค้างอยู่ด้วย
th: บัญชีถูกระงับ เงินในวอลเล็ท {amount} ติดอยู่ข้างใน
vi~ tài khoản bị khóa
vi~ không đăng nhập được
vi: Tài khoản mình bị khóa sau khi đổi điện thoại, mã OTP không về.
vi: App báo "tài khoản tạm thời bị hạn chế vì lý do bảo mật", mình có làm gì đâu.
vi: Không đăng nhập được, báo nhập sai quá nhiều lần, đang có đơn hàng chưa nhận.
vi: Tài khoản bị đóng băng, số dư ví {amount} kẹt trong đó.
ms~ akaun dikunci
ms~ tak boleh login
ms: Akaun saya kena lock lepas tukar phone, OTP tak sampai.
ms: Keluar "akaun disekat sementara atas sebab keselamatan". Saya tak buat apa-apa.
ms: Tak boleh log masuk, kata terlalu banyak cubaan. Ada order tengah jalan.
ms: Akaun dibekukan, baki wallet {amount} tersangkut.
tl~ na-lock yung account ko
tl~ hindi ako makalogin
tl: Na-lock yung account ko nung nagpalit ako ng phone, hindi dumadating yung OTP.
tl: "Temporarily restricted" daw yung account ko for security, wala naman akong ginawa.
tl: Hindi makapag-login, too many attempts daw. May order pa akong hinihintay.
tl: Naka-freeze yung account at nandun yung {amount} sa wallet ko.
es~ cuenta bloqueada
es~ no puedo iniciar sesión
es: Me bloquearon la cuenta cuando cambié de celular y el código nunca llega.
es: Dice "cuenta restringida temporalmente por seguridad". No hice nada malo.
es: No puedo entrar, dice demasiados intentos. Tengo un pedido en camino.
es: Cuenta congelada y tengo {amount} de saldo atrapados.
pt~ conta bloqueada
pt~ não consigo fazer login
pt: Minha conta foi bloqueada depois que troquei de celular, o código não chega.
pt: Aparece "conta restrita temporariamente por segurança". Não fiz nada.
pt: Não consigo entrar, diz muitas tentativas. Tenho pedido a caminho.
pt: Conta congelada com {amount} de saldo preso lá dentro.
zh~ 账号被锁了
zh~ 登录不了
zh: 换了手机以后账号被锁，验证码一直收不到。
zh: 提示"账户因安全原因暂时受限"，我什么都没做啊。
zh: 登录不了，说尝试次数太多，我还有订单在路上。
zh: 账户被冻结，钱包里的{amount}也取不出来。
""",
)

THEMES["fake_product_counterfeit"] = dict(
    kind="buyer",
    category="order_issue",
    pain=0.8,
    text="""
en~ fake product
en~ counterfeit item received
en: The {product} I got is clearly fake, the logo is off and the serial number doesn't exist.
en: Listing said 100% original but the brand store confirmed it's counterfeit.
en: This is a knockoff. Quality is terrible and the packaging has spelling mistakes.
en: Paid {amount} for an authentic item and received a replica. Report this seller.
id~ barang palsu
id~ bukan original
id: {product} yang saya terima jelas KW, logonya beda dan nomor serinya ga terdaftar.
id: Katanya 100% ori tapi setelah dicek di store resmi ternyata palsu.
id: Ini barang tiruan kak, kualitasnya jelek banget dan kemasannya typo.
id: Bayar {amount} buat barang original malah dapet replika. Tolong tindak seller ini.
th~ ได้ของปลอม
th~ ไม่ใช่ของแท้
th: {product} ที่ได้รับเป็นของปลอมชัดเจน โลโก้เพี้ยน เลขซีเรียลก็ไม่มีในระบบ
th: หน้าร้านบอกว่าของแท้ 100% แต่ศูนย์แบรนด์ยืนยันว่าปลอมค่ะ
th: ของก๊อปเกรดต่ำ กล่องพิมพ์ผิดด้วย
th: จ่าย {amount} เพื่อของแท้แต่ได้ของเลียนแบบ ขอรายงานร้านนี้ครับ
vi~ hàng giả
vi~ hàng fake không phải chính hãng
vi: {product} mình nhận được là hàng fake rõ ràng, logo lệch và số serial không tồn tại.
vi: Shop ghi chính hãng 100% mà mang ra hãng kiểm tra thì là hàng giả.
vi: Hàng nhái chất lượng kém, hộp còn in sai chính tả.
vi: Trả {amount} để mua hàng thật mà nhận hàng replica, mình muốn tố cáo shop này.
ms~ barang tiruan
ms~ bukan original
ms: {product} yang saya dapat memang palsu, logo lain dan nombor siri tak wujud.
ms: Listing kata 100% original tapi kedai jenama sahkan palsu.
ms: Barang tiruan, kualiti teruk dan kotak ada salah ejaan.
ms: Bayar {amount} untuk barang original tapi dapat replika. Report seller ni.
tl~ fake yung item
tl~ hindi original
tl: Halatang fake yung {product} na natanggap ko, iba yung logo at walang record yung serial.
tl: 100% original daw sabi sa listing pero sabi ng official store peke.
tl: Class A lang to, pangit quality at mali-mali spelling sa box.
tl: Nagbayad ako ng {amount} para sa authentic tapos replica pala. Report ko tong seller.
es~ producto falso
es~ me vendieron una imitación
es: El {product} que recibí es claramente pirata, el logo está mal y el número de serie no existe.
es: Decía 100% original pero la tienda de la marca confirmó que es falso.
es: Es una imitación de mala calidad, la caja tiene faltas de ortografía.
es: Pagué {amount} por un artículo original y me llegó una réplica. Reporten al vendedor.
pt~ produto falsificado
pt~ não é original
pt: O {product} que recebi é falsificado, o logo está torto e o número de série não existe.
pt: O anúncio dizia 100% original mas a loja da marca confirmou que é falso.
pt: É réplica de baixa qualidade, a caixa tem erro de português.
pt: Paguei {amount} num produto original e veio pirata. Denunciem esse vendedor.
zh~ 收到假货
zh~ 不是正品
zh: 收到的{product}明显是假货，logo歪的，序列号也查不到。
zh: 商品写的100%正品，品牌专柜鉴定是假的。
zh: 就是高仿，质量很差，包装盒上还有错别字。
zh: 花{amount}买正品结果收到仿冒品，要求处理这个卖家。
""",
)
