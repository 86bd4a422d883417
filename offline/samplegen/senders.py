"""The fictional senders: one source directory per vertical family, 2-4 senders each.

Every sender has its own layout family, brand, wording, number/date formats,
MIME structure and transfer encodings, as different real companies would.
"""

from __future__ import annotations

from collections.abc import Mapping

from . import carriers, catalogs, formats
from .context import Builder, Sender
from .labels_en import EN
from .labels_intl import DE, ES, FR, JA
from .layouts import Brand
from .verticals import account, billing, commerce, notify, travel

PACKS: dict[str, dict[str, str]] = {"en": EN, "de": DE, "fr": FR, "es": ES, "ja": JA}
NAMES_EN = ("en", "en", "en", "en", "es", "it", "in", "zh", "pl", "de", "fr", "nl", "tr")
NAMES_DE = ("de", "de", "de", "de", "tr", "pl", "it", "nl")
NAMES_FR = ("fr", "fr", "fr", "fr", "es", "it", "nl")
NAMES_ES = ("es", "es", "es", "es", "fr", "it")
QP, B64 = "quoted-printable", "base64"

ORDER = ("order-confirmation", commerce.order_confirmation)
SHIP = ("shipping-notification", commerce.shipping_notice)
REFUND = ("refund", commerce.refund)
GIFT = ("gift-card", commerce.gift_card)


def _sender(source: str, slug: str, local: str, display: str, lang: str, layout: str, color: str,
            footer: tuple[str, ...], templates: tuple[tuple[str, Builder], ...],
            words: Mapping[str, str] | None = None, **kw: object) -> Sender:
    brand = Brand(display.split(" (")[0], color, footer, lang=lang)
    labels = {k: v.replace("{shop}", brand.name) for k, v in {**PACKS[lang], **(words or {})}.items()}
    return Sender(source=source, slug=slug, address=f"{local}@{slug}.example", display=display, lang=lang,
                  layout=layout, brand=brand, labels=labels, templates=templates, **kw)  # type: ignore[arg-type]


SHOP: tuple[Sender, ...] = (
    _sender(
        "shop", "alpine-outfitters", "orders", "Alpine Outfitters", "en", "retro", "#2f5d3a",
        ("Alpine Outfitters, 1420 Pearl Street, Boulder, CO 80302", "You are receiving this email because you "
         "placed an order with us.", "Customer Service: 1-800-555-0134"),
        (ORDER, SHIP, REFUND, GIFT),
        {"greet": "Hello {name},",
         "subj_order": "Alpine Outfitters Order Confirmation - #{order}",
         "order_title": "ORDER CONFIRMATION",
         "order_intro": "Thank you for shopping with Alpine Outfitters! Your gear is being packed by our team.",
         "order_no": "Order #", "order_date": "Order Placed", "payment": "Billed To", "item": "Product",
         "unit_price": "Each", "shipping": "Shipping & Handling", "tax": "Sales Tax", "total": "Order Total",
         "view_order": "Check your order status", "summary_title": "Order Details",
         "order_outro": "Returns are free within 60 days. See store for details.",
         "subj_ship": "Your Alpine Outfitters order has shipped! (#{order})",
         "ship_title": "YOUR ORDER IS ON THE WAY", "ship_intro": "Great news! Order #{order} is headed your way.",
         "carrier": "Shipped Via", "tracking": "Tracking #", "eta": "Expected Delivery",
         "track_btn": "Track Shipment",
         "subj_refund": "Your refund from Alpine Outfitters (Order #{order})",
         "refund_intro": "We have processed a refund of {amount} to your {pay} for order #{order}.",
         "subj_gc_from": "{actor} sent you an Alpine Outfitters e-Gift Card!",
         "subj_gc": "Your Alpine Outfitters e-Gift Card",
         "gc_code": "Your e-Gift Card number:", "gc_balance": "Card Value", "gc_redeem": "Shop Now"},
        money=formats.USD, date_style="us", mime="alt", cte=(QP, QP), tz_hours=-7, name_locales=NAMES_EN,
        catalog=catalogs.OUTDOOR,
        opts={"order_fmt": "{n6}", "items": "nqp", "price": "unit", "tax_rate": 0.0725,
              "ship_rates": (0, 695, 995, 1495), "carriers": carriers.US, "deliv_style": "us_weekday",
              "web": "www.alpine-outfitters.example", "gc_amounts": (2500, 5000, 10000), "p_discount": 0.35},
    ),
    _sender(
        "shop", "northwind-home", "hello", "Northwind Home", "en", "modern", "#b4533a",
        ("Northwind Home Ltd · 12 Canal Yard · Leeds LS1 4AB", "Registered in England No. 09876543",
         "Manage email preferences"),
        (ORDER, SHIP, REFUND),
        {"greet": "Hey {name}!", "card_fmt": "{brand} •••• {last4}", "alt_pay": "PayPal|Klarna|Apple Pay",
         "subj_order": "We've got your order {order} 🎉", "order_heading": "Order {order}",
         "order_intro": "Thanks for picking Northwind — your bits and bobs are being wrapped up.",
         "placed_on": "Ordered {date}", "paid_with": "Charged to your {pay}.",
         "price": "Price", "shipping": "Delivery", "tax": "Includes VAT", "total": "You paid",
         "view_order": "See order details", "order_outro": "Need a hand? hello@northwind-home.example",
         "subj_ship": "Your Northwind parcel is on its way", "ship_heading": "Order {order} is on the move",
         "ship_intro": "Your parcel has been handed to our courier.",
         "carrier": "Courier", "tracking": "Tracking ref", "eta_sentence": "Expected to arrive {date}.",
         "track_btn": "Follow your parcel",
         "subj_refund": "Refund on its way for order {order}",
         "refund_intro_short": "We've processed the return for order {order}.",
         "refund_amount": "Refund total", "refunded_to": "Back to"},
        money=formats.GBP, date_style="uk", mime="alt", cte=(QP, B64), tz_hours=0, name_locales=NAMES_EN,
        catalog=catalogs.HOME_GB,
        opts={"order_fmt": "NW-{n6}", "order_in": "heading", "items": "inline", "date_in": "para",
              "pay_in": "para", "tax_rate": 0.2, "tax_included": True, "ship_rates": (0, 0, 395, 495, 695),
              "carriers": carriers.GB, "deliv_style": "uk_weekday", "deliv_in": "para", "refund_in": "fields",
              "track_host": "self", "track_link": False, "greet": "first", "cards": "Visa|Mastercard|Amex"},
    ),
    _sender(
        "shop", "kaufhaus-lindner", "bestellung", "Kaufhaus Lindner", "de", "nested", "#7a1f2b",
        ("Kaufhaus Lindner GmbH · Königstraße 18 · 70173 Stuttgart", "Amtsgericht Stuttgart HRB 123456 · "
         "USt-IdNr. DE123456789", "Abmelden"),
        (ORDER, SHIP, REFUND),
        {"greet": "Guten Tag {name},"},
        money=formats.EUR_DE, date_style="de", mime="alt", cte=(QP, QP), tz_hours=1, name_locales=NAMES_DE,
        catalog=catalogs.KAUFHAUS,
        opts={"order_fmt": "{n8}", "items": "nqp", "price": "line", "tax_rate": 0.19, "tax_included": True,
              "ship_rates": (0, 395, 495), "carriers": carriers.DE, "deliv_style": "de_weekday", "greet": "full",
              "refund_in": "fields", "cards": "Visa|Mastercard|American Express"},
    ),
    _sender(
        "shop", "sakura-zakka", "shop", "さくら雑貨店 (Sakura Zakka)", "ja", "listy", "#c2185b",
        ("さくら雑貨店 オンラインストア", "〒150-0001 東京都渋谷区神宮前1-2-3", "配信停止はこちら"),
        (ORDER, SHIP, GIFT),
        {},
        money=formats.JPY, date_style="ja", mime="alt", cte=(B64, B64), tz_hours=9, name_locales=("ja",),
        catalog=catalogs.ZAKKA,
        opts={"order_fmt": "{n3}-{n7}-{n7}", "items": "qtylabel", "price": "line", "tax_rate": 0.1,
              "tax_included": True, "ship_rates": (0, 550, 880), "carriers": carriers.JP,
              "deliv_style": "ja_weekday", "gc_fmt": "{X4}-{X6}-{X4}", "gc_amounts": (1000, 3000, 5000, 10000),
              "cards": "VISA|Mastercard|JCB|AMEX", "order_in": "fields"},
    ),
)

MARKET: tuple[Sender, ...] = (
    _sender(
        "market", "maison-colette", "commandes", "Maison Colette", "fr", "modern", "#1d3557",
        ("Maison Colette SAS · 27 rue des Martyrs · 75009 Paris", "Se désinscrire"),
        (ORDER, SHIP, REFUND, GIFT),
        {},
        money=formats.EUR_FR, date_style="fr", mime="alt", cte=(QP, QP), tz_hours=1, name_locales=NAMES_FR,
        catalog=catalogs.MAISON,
        opts={"order_fmt": "MC{n6}", "items": "qtylabel", "price": "unit", "tax_rate": 0.2, "tax_included": True,
              "ship_rates": (0, 490, 690), "carriers": carriers.FR, "deliv_style": "fr_weekday", "greet": "first",
              "pay_in": "para", "gc_fmt": "{X4}-{X4}-{X4}", "gc_amounts": (3000, 5000, 8000, 15000),
              "cards": "Visa|Mastercard|CB"},
    ),
    _sender(
        "market", "tienda-solana", "pedidos", "Tienda Solana", "es", "retro", "#e07a1f",
        ("Tienda Solana S.L. · Calle Mayor 45 · 41001 Sevilla", "Para darte de baja, responde BAJA."),
        (ORDER, SHIP, REFUND),
        {"order_outro": "Gracias por confiar en Tienda Solana."},
        money=formats.EUR_ES, date_style="es", mime="alt", charset="iso-8859-1", cte=(QP, QP), tz_hours=1,
        name_locales=("es", "es", "es", "fr", "it"), catalog=catalogs.SOLANA,
        opts={"order_fmt": "TS-{n5}", "items": "qnp", "price": "line", "tax_rate": 0.21, "tax_included": True,
              "ship_rates": (0, 395, 595), "carriers": carriers.ES, "deliv_style": "es_weekday",
              "greet": "first", "date_in": "para", "cards": "Visa|Mastercard"},
    ),
    _sender(
        "market", "bytebarn", "no-reply", "ByteBarn", "en", "minimal", "#333333",
        ("ByteBarn Inc., 88 Queen St W, Toronto ON", "This mailbox is not monitored."),
        (ORDER, SHIP),
        {"greet": "{name},", "subj_order": "[ByteBarn] Order {order} received",
         "order_intro": "Your order has been received and will ship within 1-2 business days.",
         "order_date": "Date", "payment": "Paid by", "qty_prefix": "qty ", "subtotal": "Items",
         "shipping": "Shipping & handling", "tax": "GST/HST", "total": "Order total", "view_order": "Order page",
         "order_outro": "ByteBarn - computer parts, fast.",
         "subj_ship": "[ByteBarn] Order {order} shipped", "ship_intro": "Your order shipped today.",
         "carrier": "Courier", "tracking": "Tracking", "eta": "ETA", "track_btn": "Track",
         "ship_outro": "Signature may be required on delivery."},
        money=formats.CAD, date_style="iso", mime="text", cte=(QP, QP), tz_hours=-5, name_locales=NAMES_EN,
        catalog=catalogs.GADGETS,
        opts={"order_fmt": "BB{n7}", "order_in": "subject", "items": "qtylabel", "price": "line",
              "tax_rate": 0.13, "ship_rates": (0, 999, 1499), "carriers": carriers.CA, "deliv_style": "iso",
              "greet": "full", "p_gift": 0.0, "p_discount": 0.15},
    ),
)

SAAS_PLANS = (("Starter", 900), ("Growth", 2900), ("Scale", 7900), ("Team", 1500))

BILLING: tuple[Sender, ...] = (
    _sender(
        "billing", "cloudledger", "billing", "CloudLedger Billing", "en", "nested", "#3b5bdb",
        ("CloudLedger, Inc. · 500 Market St · San Francisco, CA", "Billing questions? billing@cloudledger.example"),
        (("invoice", billing.invoice), ("receipt", billing.receipt), ("trial-ending", billing.trial_ending),
         ("renewal-notice", billing.renewal)),
        {"invoice_title": "Invoice {inv}", "card_fmt": "{brand} •••• {last4}"},
        money=formats.USD_PLAIN, date_style="us_abbr", mime="alt", cte=(QP, QP), tz_hours=-8,
        name_locales=NAMES_EN,
        opts={"plans": SAAS_PLANS, "inv_fmt": "CL-{n6}", "rcpt_fmt": "{n4}-{n4}", "tax_rate": 0.0,
              "web": "app.cloudledger.example"},
    ),
    _sender(
        "billing", "formwerk", "rechnung", "Formwerk", "de", "modern", "#0b7285",
        ("Formwerk Software GmbH · Schanzenstraße 7 · 20357 Hamburg", "Geschäftsführer: J. Brandt"),
        (("invoice", billing.invoice), ("receipt", billing.receipt), ("trial-ending", billing.trial_ending)),
        {"tax": "zzgl. MwSt. 19 %"},
        money=formats.EUR_DE, date_style="de_num", mime="alt", cte=(B64, QP), tz_hours=1, name_locales=NAMES_DE,
        opts={"plans": (("Basis", 900), ("Plus", 1900), ("Business", 3900)), "inv_fmt": "RE-{y}-{n5}",
              "rcpt_fmt": "ZB{n7}", "tax_rate": 0.19, "web": "app.formwerk.example", "greet": "first"},
    ),
    _sender(
        "billing", "pixelpost", "accounts", "Pixelpost", "en", "minimal", "#222222",
        ("Pixelpost · newsletters for makers",),
        (("invoice", billing.invoice), ("trial-ending", billing.trial_ending)),
        {"greet": "Hello {name},", "subj_invoice": "Pixelpost invoice {inv} ({amount})",
         "invoice_intro": "Here's your invoice. {amount} will be charged automatically on {due}.",
         "invoice_no": "Invoice #", "invoice_date": "Issued", "due_date": "Charge date", "plan": "Subscription",
         "amount_due": "Total due", "pay_btn": "View invoice online",
         "subj_trial": "Heads up: your Pixelpost trial is almost over",
         "trial_intro": "Hey {name} - just a reminder that your free trial of Pixelpost {plan} wraps up on {end}.",
         "upgrade_btn": "Pick a plan"},
        money=formats.USD_PLAIN, date_style="us_num", mime="text", cte=(QP, QP), tz_hours=-5,
        name_locales=NAMES_EN,
        opts={"plans": (("Hobby", 500), ("Creator", 1200), ("Studio", 4000)), "inv_fmt": "{y}-{n4}",
              "tax_rate": 0.0, "web": "pixelpost.example"},
    ),
    _sender(
        "billing", "facturo", "factures", "Facturo", "fr", "retro", "#5c940d",
        ("Facturo SARL · 4 quai de la Fosse · 44000 Nantes", "SIRET 123 456 789 00012"),
        (("invoice", billing.invoice), ("receipt", billing.receipt)),
        {"tax": "TVA (20 %)", "subtotal": "Total HT", "amount_due": "Total TTC à payer"},
        money=formats.Money("EUR", prefix=False, thousands=" ", decimal=",", gap=" "), date_style="fr_num",
        mime="alt", charset="iso-8859-1", cte=(QP, B64), tz_hours=1, name_locales=NAMES_FR,
        opts={"plans": (("Essentiel", 1200), ("Pro", 2900), ("Cabinet", 6900)), "inv_fmt": "F{y}-{n4}",
              "rcpt_fmt": "R-{n6}", "tax_rate": 0.2, "web": "espace.facturo.example", "greet": "full"},
    ),
)

HOTEL = (("reservation-confirmation", travel.hotel_confirmation),)

TRAVEL: tuple[Sender, ...] = (
    _sender(
        "travel", "harborline-hotels", "reservations", "Harborline Hotels", "en", "retro", "#14507a",
        ("Harborline Hotels & Resorts", "Reservations: +1 206 555 0100", "Privacy Policy | Unsubscribe"),
        (*HOTEL, ("pre-arrival", travel.hotel_reminder), ("cancellation", travel.hotel_cancellation)),
        {"greet": "Dear {name},",
         "hotels": "Harborline Seattle Waterfront|Harborline Boston Back Bay|Harborline Portland Pearl District|"
                   "Harborline San Diego Bayside|Harborline Chicago Riverwalk|Harborline Austin Congress Ave"},
        money=formats.USD_PLAIN, date_style="us_abbr", mime="alt", cte=(QP, QP), tz_hours=-8,
        name_locales=NAMES_EN, opts={"res_fmt": "{n8}", "greet": "full", "night_rates": (15900, 18900, 24900)},
    ),
    _sender(
        "travel", "skyway-air", "itinerary", "SkyWay Airlines", "en", "nested", "#0a3d62",
        ("SkyWay Airlines · Please do not reply to this email.",),
        (("e-ticket", travel.flight_itinerary), ("check-in-open", travel.flight_checkin)),
        {"airport_fmt": "{code}", "greet": "Dear {name},"},
        money=formats.USD_PLAIN, date_style="us_abbr", dt_style="us_short", mime="alt", cte=(QP, B64),
        tz_hours=-6, name_locales=NAMES_EN,
        opts={"res_fmt": "{A6}", "airline": "SK", "flight_sep": "", "pax_fmt": "pnr", "greet": "full",
              "web": "www.skyway-air.example"},
    ),
    _sender(
        "travel", "hoteles-brisa", "reservas", "Hoteles Brisa", "es", "modern", "#0096c7",
        ("Hoteles Brisa · Paseo Marítimo 1 · 29602 Marbella", "Política de privacidad"),
        (*HOTEL, ("cancellation", travel.hotel_cancellation)),
        {"hotels": "Hotel Brisa Marbella|Brisa Sevilla Centro|Brisa Valencia Playa|Hotel Brisa Granada Albaicín|"
                   "Brisa Palma Puerto"},
        money=formats.EUR_ES_SIGN, date_style="es_num", mime="html", cte=(QP, B64), tz_hours=1,
        name_locales=NAMES_ES, opts={"res_fmt": "BR{n7}", "night_rates": (8900, 11900, 14900), "greet": "first"},
    ),
    _sender(
        "travel", "tsubasa-air", "info", "つばさ航空 (Tsubasa Air)", "ja", "minimal", "#1565c0",
        ("つばさ航空株式会社", "このメールは送信専用アドレスから配信されています。"),
        (("e-ticket", travel.flight_itinerary), ("check-in-open", travel.flight_checkin)),
        {},
        money=formats.JPY_SUFFIX, date_style="ja", dt_style="ja_short", mime="alt", cte=(B64, B64), tz_hours=9,
        name_locales=("ja",),
        opts={"res_fmt": "{n6}", "airline": "TB", "flight_sep": "", "pax_fmt": "full"},
    ),
)

ACCOUNT: tuple[Sender, ...] = (
    _sender(
        "account", "keyvault", "security", "KeyVault", "en", "minimal", "#111111",
        ("KeyVault Security Team",),
        (("password-reset", account.password_reset), ("verification-code", account.verification_code),
         ("new-device", account.new_device)),
        {"greet": "Hi {name},", "subj_code": "KeyVault code: {code}", "code_in": "sentence",
         "code_sentence": "Your one-time code is {code}.", "ip": "IP", "when": "When"},
        date_style="us", dt_style="iso_utc", mime="html", cte=(QP, QP), tz_hours=0, name_locales=NAMES_EN,
        opts={"reset_link": "inline", "otp_fmt": "{n3}-{n3}", "code_in": "sentence", "token_fmt": "{X24}",
              "reset_path": "/r/"},
    ),
    _sender(
        "account", "teamhub", "notifications", "TeamHub", "en", "modern", "#6741d9",
        ("TeamHub · Work better together", "You can change notification settings at any time."),
        (("invitation", account.invitation), ("password-reset", account.password_reset),
         ("new-device", account.new_device)),
        {"subj_login": "Security alert: new login on {device}", "location": "Location",
         "subj_invite": "Join {org} on TeamHub", "invite_intro": "{actor} invited you to collaborate in {org} "
         "as {role}.", "invite_btn": "Join the team", "reset_btn": "Choose a new password"},
        date_style="us", dt_style="us_12h", mime="alt", cte=(QP, QP), tz_hours=-5, name_locales=NAMES_EN,
        opts={"web": "app.teamhub.example"},
    ),
    _sender(
        "account", "monespace", "securite", "MonEspace", "fr", "listy", "#e03131",
        ("MonEspace – votre espace personnel en ligne",),
        (("password-reset", account.password_reset), ("verification-code", account.verification_code),
         ("new-device", account.new_device)),
        {},
        date_style="fr", dt_style="fr", mime="alt", cte=(QP, QP), tz_hours=1, name_locales=NAMES_FR,
        opts={"otp_fmt": "{n6}", "greet": "first", "reset_path": "/motdepasse/nouveau?jeton="},
    ),
)

NOTIFY: tuple[Sender, ...] = (
    _sender(
        "notify", "trackflow", "notify", "Trackflow", "en", "modern", "#f08c00",
        ("Trackflow · Unsubscribe from these notifications",),
        (("comment", notify.comment), ("mention", notify.mention), ("assigned", notify.assigned)),
        {"thread_path": "/projects/t/{n}#c-{h}"},
        mime="alt", cte=(QP, QP), tz_hours=-5, name_locales=NAMES_EN, opts={"web": "app.trackflow.example"},
    ),
    _sender(
        "notify", "codenest", "noreply", "CodeNest", "en", "nested", "#24292f",
        ("You are receiving this because you are subscribed to this thread.", "CodeNest, Inc."),
        (("comment", notify.comment), ("review-request", notify.review_request), ("org-invitation",
                                                                                   account.invitation)),
        {"thread_path": "/pull/{n}#discussion_{h}", "subj_comment": "Re: {task}",
         "comment_intro": "{actor} left a comment on “{task}” ({org}):", "view_btn": "View it on CodeNest",
         "subj_invite": "{actor} invited you to the {org} organization",
         "invite_intro": "{actor} has invited you to join the {org} organization with {role} access.",
         "roles": "read|write|maintain|admin"},
        mime="html", cte=(QP, B64), tz_hours=0, name_locales=NAMES_EN, opts={"web": "codenest.example"},
    ),
    _sender(
        "notify", "tablero", "avisos", "Tablero", "es", "retro", "#2b8a3e",
        ("Tablero · Gestión de proyectos", "Configura tus notificaciones"),
        (("comment", notify.comment), ("mention", notify.mention)),
        {},
        mime="alt", cte=(B64, QP), tz_hours=1, name_locales=NAMES_ES, opts={"web": "tablero.example"},
    ),
)

SENDERS: tuple[Sender, ...] = (*SHOP, *MARKET, *BILLING, *TRAVEL, *ACCOUNT, *NOTIFY)
