"""Travel templates: hotel confirmation / reminder / cancellation, flight itinerary / check-in."""

from __future__ import annotations

from datetime import datetime, timedelta

from ..context import Ctx
from ..model import Button, Doc, Fields, Heading, Items, Para, Parts, Totals, Var
from ..pools import ascii_fold
from .common import greeting, pick

AIRPORTS_EN: tuple[tuple[str, str], ...] = (
    ("JFK", "New York"),
    ("LAX", "Los Angeles"),
    ("ORD", "Chicago"),
    ("SFO", "San Francisco"),
    ("SEA", "Seattle"),
    ("BOS", "Boston"),
    ("DEN", "Denver"),
    ("ATL", "Atlanta"),
    ("LHR", "London"),
    ("FRA", "Frankfurt"),
    ("AMS", "Amsterdam"),
    ("CDG", "Paris"),
    ("MAD", "Madrid"),
    ("DUB", "Dublin"),
    ("YYZ", "Toronto"),
    ("MIA", "Miami"),
    ("AUS", "Austin"),
    ("PDX", "Portland"),
)
AIRPORTS_JA: tuple[tuple[str, str], ...] = (
    ("HND", "東京（羽田）"),
    ("NRT", "東京（成田）"),
    ("ITM", "大阪（伊丹）"),
    ("KIX", "大阪（関西）"),
    ("CTS", "札幌（新千歳）"),
    ("FUK", "福岡"),
    ("OKA", "沖縄（那覇）"),
    ("SDJ", "仙台"),
    ("HIJ", "広島"),
    ("KOJ", "鹿児島"),
    ("ICN", "ソウル（仁川）"),
    ("TPE", "台北（桃園）"),
    ("HNL", "ホノルル"),
)


def _booking_button(c: Ctx, label: str, link: str, letters: int) -> Button:
    """The action button to a booking: ``link`` then the first ``letters`` of the reader's surname."""
    return Button(c.L(label), c.url(link + ascii_fold(c.to.last)[:letters].lower()), "action_url")


def _stay(c: Ctx) -> tuple[datetime, datetime, int]:
    checkin = c.when + timedelta(days=c.rng.randint(5, 90))
    nights = c.rng.choices((1, 2, 3, 4, 5, 7), weights=(20, 30, 20, 12, 10, 8))[0]
    return checkin, checkin + timedelta(days=nights), nights


def _hotel_booking(c: Ctx) -> tuple[Var, Var, datetime, datetime, int]:
    """A hotel booking every hotel mail is about: reservation number, hotel, check-in, check-out, nights."""
    res = Var("reservation_number", c.ident("res_fmt", "{X6}"))
    hotel = Var("lodging_name", pick(c, "hotels"))
    return (res, hotel, *_stay(c))


def hotel_confirmation(c: Ctx) -> Doc:
    """Hotel booking confirmation with 1-2 rooms."""
    res, hotel, cin, cout, nights = _hotel_booking(c)
    rooms = c.rng.sample(c.L("rooms").split("|"), c.rng.choice((1, 1, 1, 2)))
    per_night: tuple[int, ...] = c.opt("night_rates", (12900, 15900, 18900, 22900))  # type: ignore[assignment]
    total = sum(c.rng.choice(per_night) for _ in rooms) * nights
    guest = Var("recipient_name", c.to.full)
    doc = Doc(c.f("subj_hotel", hotel=hotel, res=res))
    doc.add(Heading(c.f("hotel_title")), Para(c.f("hotel_intro", name=guest, hotel=hotel)))
    doc.add(
        Fields(
            (
                (c.L("res_no"), (res,)),
                (c.L("checkin"), (Var("checkin_date", c.date(cin)), c.L("checkin_time"))),
                (c.L("checkout"), (Var("checkout_date", c.date(cout)), c.L("checkout_time"))),
                (c.L("nights"), (str(nights),)),
            ),
            title=c.L("stay_title"),
        )
    )
    rows = tuple(((Var("room_type", r),), (c.L("guests_fmt").format(n=c.rng.randint(1, 3)),)) for r in rooms)
    doc.add(Items((c.L("room"), c.L("guests")), rows))
    doc.add(Totals(((c.L("total_price"), (Var("order_total", c.money(total)),)),)))
    doc.add(_booking_button(c, "manage_btn", f"/reservations/{res.value}?last=", 3))
    doc.add(Para(c.f("hotel_outro"), muted=True))
    return doc


def hotel_reminder(c: Ctx) -> Doc:
    """Pre-arrival reminder."""
    res, hotel, cin, cout, _ = _hotel_booking(c)
    doc = Doc(c.f("subj_reminder", hotel=hotel))
    doc.add(greeting(c), Para(c.f("reminder_intro", hotel=hotel, date=Var("checkin_date", c.date(cin)))))
    doc.add(Fields(((c.L("res_no"), (res,)), (c.L("checkout"), (Var("checkout_date", c.date(cout)),)))))
    doc.add(Para(c.f("reminder_body")), Para(c.f("hotel_outro"), muted=True))
    return doc


def hotel_cancellation(c: Ctx) -> Doc:
    """Cancellation confirmation with refund amount."""
    res, hotel, cin, cout, _ = _hotel_booking(c)
    doc = Doc(c.f("subj_cancel", res=res))
    doc.add(greeting(c), Para(c.f("cancel_intro", hotel=hotel)))
    amount = c.rng.randint(80, 900) * c.s.money.scale() + (c.rng.randint(0, 99) if c.s.money.decimals else 0)
    doc.add(
        Fields(
            (
                (c.L("res_no"), (res,)),
                (c.L("checkin"), (Var("checkin_date", c.date(cin)),)),
                (c.L("checkout"), (Var("checkout_date", c.date(cout)),)),
                (c.L("refund"), (Var("refund_amount", c.money(amount)),)),
            )
        )
    )
    doc.add(Para(c.f("cancel_outro"), muted=True))
    return doc


def _legs(c: Ctx) -> list[tuple[str, str, str, datetime, datetime]]:
    airports = AIRPORTS_JA if c.s.lang == "ja" else AIRPORTS_EN
    n = c.rng.choices((1, 2, 3), weights=(50, 35, 15))[0]
    stops = c.rng.sample(airports, n + 1)
    t = (c.when + timedelta(days=c.rng.randint(3, 60))).replace(
        hour=c.rng.randint(6, 20), minute=c.rng.choice(range(0, 60, 5)), second=0
    )
    legs = []
    code = c.sopt("airline", "SW")
    for i in range(n):
        dur = timedelta(minutes=c.rng.randint(55, 600))
        arr = t + dur
        num = f"{code}{c.sopt('flight_sep', ' ')}{c.rng.randint(10, 2999)}"
        dep_ap, arr_ap = (_airport(c, stops[i]), _airport(c, stops[i + 1]))
        legs.append((num, dep_ap, arr_ap, t, arr))
        t = arr + timedelta(minutes=c.rng.randint(50, 240))
    return legs


def _airport(c: Ctx, ap: tuple[str, str]) -> str:
    return c.L("airport_fmt").format(code=ap[0], city=ap[1])


def _passengers(c: Ctx) -> list[str]:
    out = []
    for i in range(c.rng.choices((1, 2, 3, 4), weights=(45, 30, 15, 10))[0]):
        p = c.to if i == 0 else c.person()
        if c.sopt("pax_fmt", "full") == "pnr":
            title = c.rng.choice(("MR", "MS", "MRS", ""))
            out.append(f"{ascii_fold(p.last).upper()}/{ascii_fold(p.first).upper()} {title}".strip())
        else:
            out.append(p.full)
    return out


def _leg_table(c: Ctx, legs: list[tuple[str, str, str, datetime, datetime]]) -> Items:
    rows = tuple(
        (
            (Var("flight_number", num),),
            (Var("departure_airport", dep),),
            (Var("departure_time", c.dt(td)),),
            (Var("arrival_airport", arr),),
            (Var("arrival_time", c.dt(ta)),),
        )
        for num, dep, arr, td, ta in legs
    )
    return Items(
        (c.L("flight"), c.L("from"), c.L("departs"), c.L("to_ap"), c.L("arrives")),
        rows,
        title=c.L("legs_title"),
    )


def flight_itinerary(c: Ctx) -> Doc:
    """E-ticket / itinerary with 1-3 legs and 1-4 passengers."""
    res = Var("reservation_number", c.ident("res_fmt", "{X6}"))
    legs = _legs(c)
    pax = _passengers(c)
    fare = c.rng.randint(89, 1400) * len(pax) * 100 + (c.rng.randint(0, 99) if c.s.money.decimals else 0)
    doc = Doc(c.f("subj_itin", res=res))
    doc.add(Heading(c.f("itin_title")), greeting(c), Para(c.f("itin_intro")))
    doc.add(Fields(((c.L("booking_ref"), (res,)),)))
    doc.add(_leg_table(c, legs))
    doc.add(
        Items((c.L("passenger"),), tuple(((Var("passenger_name", p),),) for p in pax), title=c.L("pax_title"))
    )
    doc.add(Totals(((c.L("fare_total"), (Var("order_total", c.money(fare)),)),)))
    doc.add(Para(c.f("itin_outro"), muted=True))
    return doc


def flight_checkin(c: Ctx) -> Doc:
    """Online check-in open: legs, passengers, check-in button."""
    res = Var("reservation_number", c.ident("res_fmt", "{X6}"))
    legs = _legs(c)
    pax = _passengers(c)
    doc = Doc(c.f("subj_checkin", res=res, dest=legs[-1][2]))
    doc.add(greeting(c), Para(c.f("checkin_intro", res=res)))
    doc.add(_leg_table(c, legs))
    rows: tuple[tuple[str, Parts], ...] = tuple((c.L("passenger"), (Var("passenger_name", p),)) for p in pax)
    doc.add(Fields(rows, title=c.L("pax_title")))
    doc.add(_booking_button(c, "checkin_btn", f"/checkin?pnr={res.value}&ln=", 4))
    doc.add(Para(c.f("checkin_outro"), muted=True))
    return doc
