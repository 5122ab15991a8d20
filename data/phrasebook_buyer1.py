"""Buyer themes, part 1: refunds, returns, delivery, item condition.

Format of each block: one template per line, ``<lang>~ text`` = terse ticket / subject line,
``<lang>: text`` = body template. Slots: {product} {amount} {amount2} {courier} {days}
{date} {n} {order} {trk} {code}. Chinese is written in Simplified; Traditional (TW) is derived.
"""

THEMES = {}

THEMES["refund_not_received"] = dict(
    kind="buyer",
    category="refunds",
    pain=0.8,
    text="""
en~ refund not received
en~ where is my refund??
en: I returned the {product} on {date} and the refund of {amount} still hasn't shown up in my account.
en: It has been {days} days since the return was approved. The app says refund completed but my bank shows nothing.
en: Seller accepted my return weeks ago. Where is my money? Still waiting on {amount}.
en: My refund status has been stuck on "processing" since {date}. How long is this supposed to take?
id~ refund belum masuk
id~ dana refund blm diterima kak
id: Kak, saya sudah retur {product} tgl {date} tapi refund {amount} belum masuk ke rekening sampai sekarang.
id: Udah {days} hari status pengembalian dana "diproses" terus. Kapan uang saya balik?
id: Seller udah setuju refund, tapi saldo saya masih kosong. Tolong dibantu cek ya.
id: Katanya refund berhasil tapi di mutasi bank saya ga ada dana masuk {amount}. Ini gimana?
th~ ยังไม่ได้ refund เลย
th~ เงินคืนยังไม่เข้า
th: คืนสินค้า {product} ไปตั้งแต่ {date} แล้ว แต่ยังไม่ได้รับเงินคืน {amount} เลยค่ะ
th: ระบบขึ้นว่าคืนเงินสำเร็จแล้ว แต่เช็คบัญชีธนาคารยังไม่มีเงินเข้าเลยครับ
th: รอ refund มา {days} วันแล้ว ร้านค้าก็ตกลงคืนเงินแล้ว ทำไมยังไม่ได้สักที
th: สถานะคืนเงินค้างอยู่ที่ "กำลังดำเนินการ" นานมาก ช่วยตรวจสอบให้หน่อยค่ะ
vi~ chưa nhận được tiền hoàn
vi~ tiền hoàn đâu shop ơi
vi: Mình đã trả hàng {product} từ ngày {date} mà đến giờ vẫn chưa nhận được tiền hoàn {amount}.
vi: Đã {days} ngày rồi, app báo hoàn tiền thành công nhưng tài khoản ngân hàng không thấy tiền về.
vi: Yêu cầu trả hàng được chấp nhận lâu rồi mà tiền vẫn chưa hoàn, làm ơn kiểm tra giúp em.
vi: Trạng thái hoàn tiền cứ "đang xử lý" mãi, bao giờ mới nhận được tiền vậy ạ?
ms~ refund belum masuk
ms~ duit refund tak dapat lagi
ms: Saya dah pulangkan {product} pada {date} tapi bayaran balik {amount} masih belum masuk akaun.
ms: Dah {days} hari status refund "sedang diproses". Bila duit saya nak masuk?
ms: Seller dah setuju pulangan barang, tapi sampai sekarang saya tak terima apa-apa wang.
ms: App tunjuk refund berjaya tapi bank saya takde rekod langsung. Tolong semak.
tl~ wala pa yung refund ko
tl~ refund not yet received po
tl: Nai-return ko na yung {product} noong {date} pero hanggang ngayon wala pa rin yung refund na {amount}.
tl: {days} days na po akong naghihintay. Sabi sa app completed na ang refund pero wala naman sa bank ko.
tl: Approved na daw yung return ko pero bakit wala pa yung pera? Pakicheck naman po.
tl: Hello, yung refund status ko naka "processing" pa rin since {date}. Gaano pa po katagal?
es~ no me ha llegado el reembolso
es~ reembolso pendiente
es: Devolví el {product} el {date} y todavía no recibo el reembolso de {amount}.
es: Ya pasaron {days} días y la app dice "reembolso completado", pero en mi banco no aparece nada.
es: El vendedor aceptó la devolución hace semanas. ¿Dónde está mi dinero?
es: Mi reembolso sigue "en proceso" desde el {date}. ¿Cuánto más tengo que esperar?
pt~ reembolso não caiu
pt~ cadê meu reembolso
pt: Devolvi o {product} dia {date} e até agora o reembolso de {amount} não caiu na minha conta.
pt: Já faz {days} dias que o app mostra "reembolso concluído", mas no banco não entrou nada.
pt: O vendedor aceitou a devolução faz tempo e eu continuo sem o meu dinheiro.
pt: O status do estorno está "em processamento" desde {date}. Vou ter que esperar quanto tempo?
zh~ 退款还没到账
zh~ 我的退款呢
zh: 我{date}就把{product}退回去了，到现在{amount}的退款还没到账。
zh: 已经{days}天了，App显示退款成功，但是银行卡里根本没收到钱。
zh: 卖家早就同意退货了，钱到底什么时候退给我？
zh: 退款状态一直是"处理中"，从{date}到现在都没变，请帮忙查一下。
""",
)

THEMES["refund_amount_wrong"] = dict(
    kind="buyer",
    category="refunds",
    pain=0.5,
    text="""
en~ partial refund only
en~ refund amount is wrong
en: I paid {amount} for the {product} but the refund I got was only {amount2}. Where is the rest?
en: You refunded {amount2} instead of the full {amount}. Shipping fee and voucher were not returned.
en: The refund came in today but it's short. I expected {amount}, received {amount2}. Please correct it.
en: Why was my refund reduced? Nobody told me there would be a deduction on my return.
id~ refund kurang
id~ nominal refund ga sesuai
id: Saya bayar {amount} tapi refund yang masuk cuma {amount2}. Sisanya kemana kak?
id: Refund sudah masuk tapi jumlahnya kurang, ongkir tidak dikembalikan. Mohon dicek.
id: Kenapa dana yang dikembalikan cuma sebagian? Barangnya kan saya kembalikan utuh.
id: Harusnya refund {amount} full, kok yang diterima {amount2}? Ada potongan apa ya?
th~ ได้เงินคืนไม่ครบ
th~ refund ไม่ครบ
th: จ่ายไป {amount} แต่ได้เงินคืนแค่ {amount2} ส่วนที่เหลือหายไปไหนคะ
th: ได้รับ refund แล้วแต่ยอดไม่ตรง ค่าส่งกับโค้ดส่วนลดไม่ได้คืนมาด้วย
th: ทำไมหักเงินคืนโดยไม่แจ้งก่อนครับ สินค้าก็ส่งคืนครบทุกชิ้น
th: ยอดเงินคืนผิดค่ะ ควรได้ {amount} เต็มจำนวน ช่วยแก้ไขด้วย
vi~ hoàn tiền thiếu
vi~ tiền hoàn không đủ
vi: Mình thanh toán {amount} nhưng chỉ được hoàn {amount2}, phần còn lại đâu?
vi: Tiền hoàn về rồi nhưng bị thiếu, phí ship và voucher không được hoàn lại.
vi: Sao lại trừ tiền hoàn của mình? Hàng trả về còn nguyên seal mà.
vi: Số tiền hoàn sai rồi shop ơi, đáng lẽ phải là {amount} chứ không phải {amount2}.
ms~ refund tak cukup
ms~ jumlah refund salah
ms: Saya bayar {amount} tapi refund cuma {amount2}. Mana baki lagi?
ms: Refund dah masuk tapi tak cukup, kos penghantaran tak dipulangkan sekali.
ms: Kenapa potong duit refund saya? Barang dipulangkan dalam keadaan elok.
ms: Sepatutnya dapat refund penuh {amount}, bukan {amount2}. Tolong betulkan.
tl~ kulang yung refund
tl~ mali yung amount ng refund
tl: Nagbayad ako ng {amount} pero {amount2} lang ang na-refund. Nasaan yung kulang?
tl: Pumasok na yung refund pero kulang, hindi kasama yung shipping fee. Paki-ayos po.
tl: Bakit may bawas yung refund ko? Kumpleto ko naman binalik yung item.
tl: Dapat full refund na {amount} po, bakit {amount2} lang natanggap ko?
es~ reembolso incompleto
es~ me reembolsaron de menos
es: Pagué {amount} por el {product} y solo me devolvieron {amount2}. ¿Y el resto?
es: El reembolso llegó incompleto, no me regresaron el costo de envío.
es: ¿Por qué descontaron dinero de mi reembolso? Devolví el producto en perfecto estado.
es: Me tenían que reembolsar {amount} completo, no {amount2}. Corríjanlo por favor.
pt~ reembolso incompleto
pt~ estorno com valor errado
pt: Paguei {amount} no {product} e só recebi {amount2} de volta. Cadê o resto?
pt: O estorno caiu, mas faltou o valor do frete e do cupom.
pt: Por que descontaram do meu reembolso? Devolvi o produto lacrado.
pt: O valor certo seria {amount}, mas recebi apenas {amount2}. Corrijam, por favor.
zh~ 退款金额不对
zh~ 只退了一部分
zh: 我付了{amount}，结果只退回来{amount2}，剩下的钱呢？
zh: 退款到账了但是少了，运费和优惠券都没退。
zh: 为什么退款被扣钱？商品我是完好退回的。
zh: 应该全额退{amount}，为什么只收到{amount2}？请更正。
""",
)

THEMES["return_label_missing"] = dict(
    kind="buyer",
    category="returns",
    pain=0.4,
    text="""
en~ no return label
en~ return label not received
en: My return was approved on {date} but I never got the shipping label. How am I supposed to send it back?
en: The app says "print your return label" but the button does nothing and no email came.
en: I need the return label for the {product}. The courier is coming tomorrow and I still don't have it.
en: Return approved, label missing. Already asked twice in chat.
id~ label retur belum ada
id~ resi retur ga muncul
id: Pengajuan retur sudah disetujui tapi label pengiriman returnya ga muncul di aplikasi.
id: Kak, gimana cara kirim balik {product}? Ga ada kode booking / label retur sama sekali.
id: Udah {days} hari nunggu label retur, nanti keburu lewat batas waktu pengembalian.
id: Tombol cetak label retur error terus, mohon dikirim via email aja.
th~ ไม่ได้รับใบปะหน้าคืนสินค้า
th~ ไม่มี label ส่งคืน
th: อนุมัติคืนสินค้าแล้วแต่ไม่มีใบปะหน้าให้พิมพ์ จะส่งคืนยังไงคะ
th: กดพิมพ์ label คืนของแล้วไม่ขึ้นอะไรเลย รบกวนส่งให้ทางอีเมลได้ไหม
th: รอใบส่งคืน {product} มา {days} วันแล้ว กลัวเลยกำหนดคืนสินค้า
th: ขนส่งจะมารับพรุ่งนี้ แต่ยังไม่มีเลขพัสดุสำหรับส่งคืนเลยครับ
vi~ chưa có mã vận đơn trả hàng
vi~ không thấy phiếu trả hàng
vi: Yêu cầu trả hàng đã được duyệt nhưng mình không thấy mã vận đơn để gửi trả.
vi: Bấm in phiếu trả hàng thì app báo lỗi, làm sao để gửi lại {product}?
vi: Đã {days} ngày chờ phiếu trả hàng rồi, sợ quá hạn đổi trả.
vi: Shipper hẹn lấy hàng mai mà chưa có nhãn trả hàng, hỗ trợ gấp giúp mình.
ms~ tiada label pemulangan
ms~ label return tak keluar
ms: Permohonan pulangan dah lulus tapi label penghantaran tak keluar dalam app.
ms: Macam mana nak hantar balik {product} kalau takde label? Dah tanya {n} kali.
ms: Butang cetak label return tak berfungsi. Boleh email kan label tu?
ms: Dah {days} hari tunggu label, takut tamat tempoh pulangan.
tl~ walang return label
tl~ wala pa po yung label pang-return
tl: Approved na yung return ko pero wala akong natanggap na return label.
tl: Pano ko ibabalik yung {product} kung walang waybill? Paki-send naman sa email ko.
tl: Ayaw gumana nung print label button, {days} days na ako naghihintay.
tl: Susunduin na ng rider bukas pero wala pa rin yung label. Help po.
es~ no tengo la guía de devolución
es~ falta etiqueta de devolución
es: Aprobaron mi devolución pero nunca me llegó la guía para enviar el paquete.
es: El botón de imprimir etiqueta no funciona. ¿Me la pueden mandar por correo?
es: Llevo {days} días esperando la etiqueta para regresar el {product} y se me va a vencer el plazo.
es: La paquetería pasa mañana y sigo sin guía de devolución.
pt~ sem etiqueta de devolução
pt~ etiqueta de postagem não chegou
pt: Minha devolução foi aprovada mas não recebi o código de postagem.
pt: O botão de gerar etiqueta dá erro. Podem mandar por e-mail?
pt: Estou há {days} dias esperando a etiqueta para devolver o {product}, o prazo vai acabar.
pt: Como vou devolver sem etiqueta? Já pedi {n} vezes no chat.
zh~ 没有退货面单
zh~ 退货单号没收到
zh: 退货申请已经通过了，但是一直没有收到退货面单，怎么寄回去？
zh: 点打印退货标签没反应，能不能发到我邮箱？
zh: 等退货单号等了{days}天了，再等就超过退货期限了。
zh: 快递明天上门取件，可是退货面单还没有，麻烦尽快处理。
""",
)

THEMES["return_rejected"] = dict(
    kind="buyer",
    category="returns",
    pain=0.7,
    text="""
en~ return request rejected
en~ why was my return denied
en: My return request for the {product} was rejected with no explanation. The item is clearly not as described.
en: Seller rejected my return saying I "used" it. I only opened the box. I want this reviewed.
en: I uploaded photos and a video, and the return was still denied. This is unfair.
en: Return rejected because it was "past the deadline" but I filed it on day 3.
id~ pengajuan retur ditolak
id~ kok retur saya ditolak
id: Pengajuan pengembalian {product} saya ditolak tanpa alasan jelas, padahal barangnya tidak sesuai deskripsi.
id: Seller tolak retur katanya barang sudah dipakai, padahal baru dibuka aja. Mohon banding.
id: Sudah upload foto dan video unboxing tapi tetap ditolak. Ga adil banget.
id: Katanya lewat batas waktu, padahal saya ajukan hari ke-2 setelah barang diterima.
th~ คำขอคืนสินค้าถูกปฏิเสธ
th~ ร้านไม่ยอมรับคืน
th: ขอคืน {product} แต่ถูกปฏิเสธโดยไม่บอกเหตุผล ของไม่ตรงปกชัดเจนค่ะ
th: ร้านปฏิเสธการคืนสินค้าบอกว่าใช้แล้ว แค่แกะกล่องดูเองครับ ขออุทธรณ์
th: ส่งรูปกับวิดีโอตอนแกะกล่องไปแล้วก็ยังโดน reject ไม่ยุติธรรมเลย
th: แจ้งว่าเกินระยะเวลาคืนสินค้า แต่ฉันยื่นตั้งแต่วันที่ได้ของ
vi~ yêu cầu trả hàng bị từ chối
vi~ sao từ chối trả hàng
vi: Yêu cầu trả {product} của mình bị từ chối mà không có lý do, hàng không đúng mô tả rõ ràng.
vi: Shop từ chối hoàn hàng bảo là đã qua sử dụng, mình mới mở hộp thôi. Mình muốn khiếu nại.
vi: Đã gửi ảnh và video mở hộp mà vẫn bị từ chối, quá vô lý.
vi: Báo là quá hạn trả hàng trong khi mình gửi yêu cầu ngay hôm nhận hàng.
ms~ permohonan pulangan ditolak
ms~ return kena reject
ms: Permohonan pulangan {product} saya ditolak tanpa sebab, barang memang tak sama macam gambar.
ms: Seller tolak return sebab kata dah guna, saya baru buka kotak je. Nak buat rayuan.
ms: Dah hantar gambar dan video tapi masih kena tolak. Tak adil langsung.
ms: Kata dah lepas tempoh, padahal saya mohon hari kedua terima barang.
tl~ na-reject yung return ko
tl~ bakit denied yung return request
tl: Na-reject yung return request ko para sa {product} kahit hindi tugma sa description.
tl: Sabi ng seller nagamit ko na daw, eh binuksan ko lang yung box. Gusto ko po mag-appeal.
tl: Nag-upload na ako ng pictures at video pero denied pa rin. Ang unfair.
tl: Lagpas na daw sa deadline pero nag-file ako 2 days after ko natanggap.
es~ rechazaron mi devolución
es~ devolución denegada
es: Rechazaron mi solicitud de devolución del {product} sin explicación, y el producto no es como lo describen.
es: El vendedor dice que lo usé, solo abrí la caja. Quiero apelar.
es: Subí fotos y video y aun así me negaron la devolución. Es injusto.
es: Me dicen que pasó el plazo, pero la pedí al segundo día de recibirlo.
pt~ devolução recusada
pt~ negaram minha devolução
pt: Minha solicitação de devolução do {product} foi recusada sem motivo, e o produto não é o do anúncio.
pt: O vendedor disse que eu usei, mas só abri a caixa. Quero contestar.
pt: Mandei fotos e vídeo e mesmo assim negaram. Que absurdo.
pt: Falaram que passou do prazo, mas pedi no segundo dia depois de receber.
zh~ 退货申请被拒绝
zh~ 为什么不给退货
zh: 我的{product}退货申请被拒了，也没说原因，东西明明和描述不符。
zh: 卖家说我用过了拒绝退货，我只是拆开看了一下，我要申诉。
zh: 照片和开箱视频都上传了，还是被驳回，太不公平了。
zh: 说超过了退货期限，可是我收到货第二天就申请了。
""",
)

THEMES["courier_delay"] = dict(
    kind="buyer",
    category="delivery",
    pain=0.5,
    text="""
en~ parcel delayed
en~ order still not delivered
en: My order was supposed to arrive {days} days ago. Tracking hasn't moved since it left the {courier} hub.
en: Estimated delivery was {date}, today it still says "in transit". Any update?
en: The {product} has been stuck at the sorting center for a week. Can you chase {courier}?
en: Why is delivery so slow? Paid for express shipping and it's been {days} days.
id~ paket belum sampai
id~ kurir lama bgt
id: Paket saya udah {days} hari nyangkut di gudang {courier}, status ga update sama sekali.
id: Estimasi sampai tgl {date} tapi sampai sekarang masih "dalam perjalanan". Tolong difollow up.
id: Kak kok pengirimannya lama banget ya? Padahal udah bayar ongkir express.
id: Pesanan {product} saya belum sampai juga, resi terakhir update minggu lalu.
th~ พัสดุยังไม่มาส่ง
th~ ของช้ามาก
th: สั่ง {product} มา {days} วันแล้ว สถานะยังค้างอยู่ที่ศูนย์คัดแยก {courier} เลยค่ะ
th: วันที่คาดว่าจะได้รับคือ {date} แต่วันนี้ยังขึ้นว่ากำลังจัดส่งอยู่เลย
th: ขนส่งช้ามากครับ เลขพัสดุไม่อัพเดทมาหลายวันแล้ว ช่วยตามให้หน่อย
th: ทำไมของยังไม่มาส่ง จ่ายค่าส่งด่วนแล้วนะ รอนานเกินไปแล้ว
vi~ đơn hàng giao chậm
vi~ sao chưa giao hàng
vi: Đơn {product} của mình đã {days} ngày mà vẫn nằm ở kho {courier}, không thấy cập nhật gì.
vi: Dự kiến giao ngày {date} mà giờ vẫn "đang vận chuyển", hỗ trợ hối giúp mình với.
vi: Giao hàng chậm quá, mình trả phí hỏa tốc mà chờ cả tuần.
vi: Đơn hàng đứng im ở trung tâm phân loại mấy ngày nay rồi, bao giờ mới giao?
ms~ parcel lambat sampai
ms~ barang tak sampai lagi
ms: Parcel saya dah {days} hari tersangkut di hub {courier}, tracking tak update langsung.
ms: Anggaran sampai {date} tapi sampai harini masih "dalam transit". Boleh tolong check?
ms: Lambat sangat penghantaran, dah bayar express pun sama je.
ms: Order {product} masih belum sampai, last update minggu lepas.
tl~ delayed yung parcel
tl~ hindi pa dumadating order ko
tl: {days} days na po yung order ko na {product} pero stuck pa rin sa hub ng {courier}.
tl: Expected delivery {date} pero hanggang ngayon "in transit" pa rin. Pa-follow up naman.
tl: Ang tagal ng delivery, nagbayad pa naman ako ng express shipping.
tl: Walang update yung tracking ng parcel ko since last week. Asan na po?
es~ mi pedido viene retrasado
es~ el paquete no llega
es: Mi pedido debía llegar hace {days} días y el rastreo de {courier} no se mueve.
es: La fecha estimada era el {date} y sigue "en tránsito". ¿Qué pasa?
es: El {product} lleva una semana en el centro de distribución. ¿Pueden presionar a la paquetería?
es: Pagué envío exprés y ya van {days} días sin entrega.
pt~ entrega atrasada
pt~ meu pedido não chega
pt: Meu pedido era pra chegar há {days} dias e o rastreio ({courier}) não atualiza.
pt: A previsão de entrega era {date} e continua "em trânsito". Alguma novidade?
pt: O {product} está parado no centro de distribuição faz uma semana.
pt: Paguei frete expresso e já são {days} dias esperando. Que demora!
zh~ 快递太慢了
zh~ 物流一直不更新
zh: 我的{product}已经{days}天了，物流信息一直停在{courier}的转运中心。
zh: 预计{date}送达，现在还是"运输中"，麻烦催一下。
zh: 付了加急运费，结果一个星期还没到。
zh: 包裹在分拣中心卡了好几天，什么时候能派送？
""",
)

THEMES["parcel_lost"] = dict(
    kind="buyer",
    category="delivery",
    pain=0.9,
    text="""
en~ package lost
en~ marked delivered but never received
en: Tracking says delivered on {date} but I never got anything. No one at home signed for it.
en: {courier} says the parcel is lost. What happens to my {amount} order?
en: The package has shown "returned to sender" with no attempt to deliver. I think it's gone.
en: My parcel disappeared, the last scan was {days} days ago. I want a refund or a replacement.
id~ paket hilang
id~ status terkirim tapi ga nerima barang
id: Di resi tertulis sudah diterima tgl {date}, padahal saya ga pernah terima paketnya.
id: Kurir {courier} bilang paket saya hilang. Terus uang {amount} saya gimana?
id: Foto bukti pengiriman bukan rumah saya kak, paketnya entah dikirim kemana.
id: Udah {days} hari ga ada update, kata CS {courier} paketnya ga ketemu.
th~ พัสดุหาย
th~ ขึ้นว่าส่งแล้วแต่ไม่ได้รับของ
th: สถานะขึ้นว่าจัดส่งสำเร็จวันที่ {date} แต่ฉันไม่ได้รับอะไรเลย ไม่มีใครเซ็นรับ
th: {courier} แจ้งว่าพัสดุสูญหาย แล้วเงิน {amount} ของฉันจะได้คืนไหมคะ
th: รูปยืนยันการส่งไม่ใช่บ้านผมครับ ของหายไปไหนไม่รู้
th: พัสดุหายไป {days} วันแล้ว อยากได้เงินคืนหรือส่งของใหม่
vi~ mất hàng
vi~ báo đã giao nhưng không nhận được
vi: App báo giao thành công ngày {date} nhưng mình không hề nhận được hàng.
vi: Bên {courier} nói thất lạc đơn của mình rồi, vậy {amount} của mình tính sao?
vi: Ảnh xác nhận giao hàng không phải nhà mình, hàng đi đâu mất rồi.
vi: {days} ngày không có cập nhật, tổng đài báo không tìm thấy bưu kiện.
ms~ parcel hilang
ms~ status delivered tapi tak terima
ms: Tracking tunjuk dah dihantar pada {date} tapi saya tak terima apa-apa.
ms: {courier} kata parcel hilang. Macam mana dengan duit {amount} saya?
ms: Gambar bukti penghantaran tu bukan rumah saya. Barang hilang entah ke mana.
ms: Dah {days} hari takde update, saya nak refund atau hantar semula.
tl~ nawala yung parcel
tl~ delivered daw pero wala akong natanggap
tl: Sabi sa tracking delivered na noong {date} pero wala naman akong natanggap.
tl: Sabi ng {courier} nawala daw yung parcel ko. Paano yung {amount} ko?
tl: Hindi bahay namin yung nasa proof of delivery photo. Nasaan na yung item ko?
tl: {days} days na walang update, gusto ko na lang ng refund o replacement.
es~ paquete perdido
es~ dice entregado pero no lo recibí
es: El rastreo dice entregado el {date} pero nunca recibí nada.
es: {courier} dice que el paquete se perdió. ¿Qué pasa con mis {amount}?
es: La foto de entrega no es mi casa. Mi paquete desapareció.
es: Lleva {days} días sin movimiento y la paquetería no lo encuentra. Quiero reembolso.
pt~ encomenda extraviada
pt~ consta entregue mas não recebi
pt: O rastreio diz entregue em {date}, mas eu não recebi nada.
pt: A transportadora ({courier}) disse que a encomenda foi extraviada. E os meus {amount}?
pt: A foto de entrega não é da minha casa. Sumiram com o meu pedido.
pt: Já são {days} dias sem atualização. Quero reembolso ou reenvio.
zh~ 包裹丢了
zh~ 显示签收但没收到
zh: 物流显示{date}已签收，可是我根本没收到包裹。
zh: {courier}说包裹丢失了，那我的{amount}怎么办？
zh: 签收照片不是我家，东西不知道送到哪里去了。
zh: {days}天没有任何更新，客服说找不到件，我要退款或者补发。
""",
)

THEMES["wrong_item"] = dict(
    kind="buyer",
    category="order_issue",
    pain=0.6,
    text="""
en~ received wrong item
en~ wrong color / wrong size sent
en: I ordered the {product} and received something completely different.
en: Wrong size delivered. I ordered M and got XL. I need an exchange.
en: The box had a different model than the listing. Not what I paid {amount} for.
en: Seller sent the wrong color again, second time this happens.
id~ barang yang dikirim salah
id~ salah kirim warna
id: Saya pesan {product} tapi yang datang barang lain sama sekali.
id: Ukurannya salah kak, pesan M yang dikirim XL. Minta tukar.
id: Warna yang dikirim beda sama yang saya pilih di aplikasi.
id: Tipe barangnya beda dari foto di etalase, ga sesuai pesanan.
th~ ได้ของผิด
th~ ส่งสีผิด ไซส์ผิด
th: สั่ง {product} แต่ได้ของอย่างอื่นมาเลยค่ะ
th: ไซส์ผิดครับ สั่ง M แต่ได้ XL อยากเปลี่ยนสินค้า
th: สีที่ได้ไม่ตรงกับที่สั่ง ร้านส่งผิดรอบที่สองแล้ว
th: รุ่นที่ได้ไม่ตรงกับในรูปสินค้า ไม่ใช่ของที่จ่าย {amount} ไป
vi~ giao sai hàng
vi~ giao sai màu sai size
vi: Mình đặt {product} mà nhận được món khác hoàn toàn.
vi: Giao sai size rồi shop, đặt M mà gửi XL, cho mình đổi nhé.
vi: Màu nhận được khác với màu mình chọn trên app.
vi: Mẫu mã không giống hình, không đúng món mình trả {amount}.
ms~ dapat barang salah
ms~ salah warna
ms: Saya order {product} tapi dapat barang lain terus.
ms: Saiz salah, order M dapat XL. Nak tukar.
ms: Warna yang sampai lain dari yang saya pilih.
ms: Model tak sama dengan gambar listing, bukan ini yang saya bayar {amount}.
tl~ mali yung item na dumating
tl~ maling size ang pinadala
tl: Nag-order ako ng {product} pero iba yung dumating.
tl: Mali yung size, M ang inorder ko pero XL ang pinadala. Pa-exchange po.
tl: Iba yung kulay sa pinili ko, pangalawang beses na to.
tl: Hindi tugma sa picture yung model, hindi ito yung binayaran ko ng {amount}.
es~ me llegó otro producto
es~ talla equivocada
es: Pedí un {product} y me llegó algo totalmente diferente.
es: Me mandaron la talla equivocada, pedí M y llegó XL. Quiero cambio.
es: El color no es el que elegí. Es la segunda vez que pasa.
es: El modelo no coincide con la publicación, no es lo que pagué ({amount}).
pt~ recebi produto errado
pt~ veio cor errada
pt: Comprei um {product} e chegou outra coisa completamente diferente.
pt: Tamanho errado, pedi M e veio GG. Quero trocar.
pt: A cor não é a que escolhi no app. Segunda vez que isso acontece.
pt: O modelo é diferente do anúncio, não foi isso que paguei {amount}.
zh~ 发错货了
zh~ 颜色尺码发错
zh: 我买的是{product}，收到的是完全不一样的东西。
zh: 尺码发错了，我拍的M码，寄来的是XL，要换货。
zh: 颜色和我下单选的不一样，已经是第二次了。
zh: 收到的型号和商品图片不一样，花了{amount}买的不是这个。
""",
)

THEMES["damaged_item"] = dict(
    kind="buyer",
    category="order_issue",
    pain=0.6,
    text="""
en~ item arrived damaged
en~ broken on arrival
en: The {product} arrived broken, the box was crushed. I have photos.
en: Screen is cracked straight out of the package. Very poor packaging.
en: Item damaged in transit, there's a big dent and it doesn't work.
en: Opened the parcel and the {product} was smashed. Want a replacement.
id~ barang rusak
id~ barang datang pecah
id: {product} saya sampai dalam keadaan rusak, kardusnya penyok parah.
id: Layarnya retak pas dibuka kak, packing cuma pakai plastik tipis.
id: Barang pecah di jalan, ada video unboxing nya. Minta ganti baru.
id: Barangnya penyok dan ga bisa nyala. Kecewa banget.
th~ ของเสียหาย
th~ สินค้าแตก
th: {product} มาถึงแตกเลยค่ะ กล่องบุบหมด มีรูปถ่ายไว้แล้ว
th: แกะกล่องมาจอร้าว แพ็คของมาไม่ดีเลยครับ
th: ของเสียหายระหว่างขนส่ง บุบและเปิดไม่ติด
th: ได้ของแล้วแตก อยากได้ชิ้นใหม่ ขอเคลมด้วยค่ะ
vi~ hàng bị vỡ
vi~ hàng giao tới bị hư
vi: {product} giao tới bị vỡ, hộp móp méo hết, mình có chụp ảnh.
vi: Mở hộp ra màn hình đã nứt, đóng gói quá sơ sài.
vi: Hàng bị hư trong lúc vận chuyển, móp và không lên nguồn.
vi: Nhận hàng bể nát, yêu cầu đổi sản phẩm mới.
ms~ barang rosak
ms~ barang sampai pecah
ms: {product} sampai dalam keadaan rosak, kotak kemek teruk. Ada gambar.
ms: Skrin retak masa buka bungkusan. Packing teruk sangat.
ms: Barang rosak masa penghantaran, kemek dan tak boleh on.
ms: Buka parcel tengok barang dah pecah. Nak ganti baru.
tl~ sira yung item
tl~ dumating na basag
tl: Dumating na sira yung {product}, yupi pa yung box. May pictures ako.
tl: Basag na yung screen pagbukas ko, ang nipis ng packaging.
tl: Nasira sa biyahe, may yupi at ayaw gumana.
tl: Pagbukas ko ng parcel durog na yung item. Pa-replace po.
es~ llegó dañado
es~ producto roto
es: El {product} llegó roto y la caja aplastada. Tengo fotos.
es: La pantalla venía estrellada desde el empaque. Pésimo embalaje.
es: Se dañó en el envío, tiene un golpe y no enciende.
es: Abrí el paquete y el producto estaba destrozado. Quiero reposición.
pt~ produto chegou quebrado
pt~ veio avariado
pt: O {product} chegou quebrado, a caixa toda amassada. Tenho fotos.
pt: A tela veio trincada, embalagem muito fraca.
pt: Danificado no transporte, amassado e não liga.
pt: Abri a caixa e o produto estava destruído. Quero troca.
zh~ 收到的东西坏了
zh~ 商品破损
zh: {product}到的时候已经坏了，箱子都压扁了，我有拍照。
zh: 拆开屏幕就是裂的，包装太差了。
zh: 运输途中损坏，有凹痕而且开不了机。
zh: 打开包裹东西已经碎了，要求换新。
""",
)
