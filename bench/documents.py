"""Pictures of text and flat graphics, rendered here: receipts, forms, bank statements,
spreadsheets, chat and settings screenshots at phone and desktop sizes, slides, book pages.
Each comes with its versions: one word or digit changed, a box unticked, a clock a minute
on, a toggle flipped, every number of a sheet different. Text in the fonts Debian ships
(fonts-dejavu-core, fonts-liberation, fonts-noto-core).

A document's *set* is its template and its fonts; the accuracy benchmark tunes on some sets
and reports on the others (TUNING), as with the photographs.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONTS = Path("/usr/share/fonts/truetype")
FAMILIES = {
    "dejavu": ("dejavu/DejaVuSans.ttf", "dejavu/DejaVuSans-Bold.ttf", "dejavu/DejaVuSansMono.ttf"),
    "liberation": (
        "liberation/LiberationSans-Regular.ttf", "liberation/LiberationSans-Bold.ttf",
        "liberation/LiberationMono-Regular.ttf",
    ),
    "noto": ("noto/NotoSans-Regular.ttf", "noto/NotoSans-Bold.ttf", "noto/NotoSerif-Regular.ttf"),
}  # fmt: skip
# Templates and fonts tuned on; the others are held out.
TUNING = frozenset({"receipt", "chat", "spreadsheet", "page", "dejavu"})


@dataclass(frozen=True)
class Document:
    name: str
    set: str  # template and font family, e.g. "receipt/dejavu"
    rgb: np.ndarray
    versions: list[tuple[str, np.ndarray]] = field(default_factory=list)

    @property
    def tuning(self) -> bool:
        template, family = self.set.split("/")
        return template in TUNING and family in TUNING


class _Fonts:
    def __init__(self, family: str) -> None:
        self.paths = [FONTS / p for p in FAMILIES[family]]

    def regular(self, size: int) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(str(self.paths[0]), size)

    def bold(self, size: int) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(str(self.paths[1]), size)

    def mono(self, size: int) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(str(self.paths[2]), size)


def available() -> bool:
    return all((FONTS / p).exists() for paths in FAMILIES.values() for p in paths)


_WORDS = [
    "coffee",
    "bread",
    "milk",
    "apples",
    "butter",
    "cheese",
    "tomatoes",
    "pasta",
    "rice",
    "water",
    "juice",
    "tea",
    "sugar",
    "eggs",
    "honey",
    "salt",
    "pepper",
    "olives",
    "lemons",
    "bananas",
    "yogurt",
    "flour",
    "beans",
    "soup",
    "cereal",
    "chocolate",
]
_PROSE = [
    "the",
    "morning",
    "light",
    "fell",
    "across",
    "the",
    "harbour",
    "and",
    "the",
    "boats",
    "rocked",
    "slowly",
    "at",
    "their",
    "moorings",
    "while",
    "gulls",
    "circled",
    "above",
    "the",
    "market",
    "stalls",
    "where",
    "fishermen",
    "laid",
    "out",
    "the",
    "night",
    "catch",
    "on",
    "beds",
    "of",
    "ice",
    "and",
    "the",
    "smell",
    "of",
    "coffee",
    "drifted",
    "from",
    "the",
    "small",
    "cafe",
    "at",
    "the",
    "corner",
    "of",
    "the",
    "square",
    "where",
    "old",
    "men",
    "played",
    "cards",
    "and",
    "argued",
    "about",
    "the",
    "weather",
    "and",
    "the",
    "price",
    "of",
    "bread",
]


def _receipt(rng: random.Random, fonts: _Fonts, change: str | None) -> Image.Image:
    items = [(rng.choice(_WORDS).title(), rng.randint(50, 2500)) for _ in range(rng.randint(8, 14))]
    date = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/20{rng.randint(10, 24)}"
    if change == "digit":
        name, cents = items[len(items) // 2]
        items[len(items) // 2] = (name, cents + (1 if cents % 10 != 9 else -1))
    elif change == "word":
        name, cents = items[2]
        items[2] = (next(w for w in _WORDS if w.title() != name).title(), cents)
    elif change == "date":
        date = date[:-1] + str((int(date[-1]) + 1) % 10)
    width, line = 576, 34
    image = Image.new("RGB", (width, 220 + line * (len(items) + 6)), "white")
    draw = ImageDraw.Draw(image)
    draw.text((width // 2, 40), "MARKET HALL", font=fonts.bold(40), fill="black", anchor="mm")
    draw.text((width // 2, 90), f"Receipt  {date}", font=fonts.mono(24), fill="black", anchor="mm")
    y = 140
    for name, cents in items:
        draw.text((30, y), name, font=fonts.mono(24), fill="black")
        draw.text((width - 30, y), f"{cents / 100:.2f}", font=fonts.mono(24), fill="black",
                  anchor="ra")  # fmt: skip
        y += line
    draw.line((30, y + 10, width - 30, y + 10), fill="black", width=2)
    total = sum(c for _, c in items)
    draw.text((30, y + 24), "TOTAL", font=fonts.bold(28), fill="black")
    draw.text((width - 30, y + 24), f"{total / 100:.2f}", font=fonts.bold(28), fill="black",
              anchor="ra")  # fmt: skip
    return image


def _form(rng: random.Random, fonts: _Fonts, change: str | None) -> Image.Image:
    width, height = 1240, 1754  # A4 at 150 dpi
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((100, 90), "Application form", font=fonts.bold(48), fill="black")
    fields = ["Name", "Street", "City", "Postcode", "Phone", "E-mail", "Date of birth"]
    values = [rng.choice(_PROSE).title() + " " + rng.choice(_PROSE).title() for _ in fields]
    if change == "word":
        values[1] = values[1].split()[0] + " " + "Harbour"
    y = 220
    for label, value in zip(fields, values, strict=True):
        draw.text((100, y), label, font=fonts.regular(26), fill=(60, 60, 60))
        draw.rectangle((380, y - 8, 1140, y + 40), outline="black", width=2)
        draw.text((395, y), value, font=fonts.regular(26), fill="black")
        y += 90
    ticks = [rng.random() < 0.6 for _ in range(6)]
    if change == "tick":
        ticks[3] = not ticks[3]
    for number, ticked in enumerate(ticks):
        top = y + 40 + number * 70
        draw.rectangle((100, top, 140, top + 40), outline="black", width=3)
        if ticked:
            draw.line((106, top + 20, 118, top + 34), fill="black", width=5)
            draw.line((118, top + 34, 136, top + 6), fill="black", width=5)
        draw.text((170, top + 4), f"I agree to clause {number + 1}", font=fonts.regular(26),
                  fill="black")  # fmt: skip
    return image


def _statement(rng: random.Random, fonts: _Fonts, change: str | None) -> Image.Image:
    width, height = 1240, 1754
    rows = [
        (f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}", rng.choice(_WORDS).title()
         + " " + rng.choice(["Ltd", "Shop", "Store", "Online"]), rng.randint(-90000, 90000))
        for _ in range(28)
    ]  # fmt: skip
    if change == "digit":
        day, text, cents = rows[13]
        rows[13] = (day, text, cents + 100)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((90, 80), "Current account statement", font=fonts.bold(44), fill=(20, 40, 90))
    draw.rectangle((90, 170, 1150, 210), fill=(220, 228, 240))
    for x, head in ((100, "Date"), (260, "Description"), (1140, "Amount")):
        draw.text((x, 178), head, font=fonts.bold(24), fill="black", anchor="ra" if x > 1000
                  else "la")  # fmt: skip
    y = 230
    for day, text, cents in rows:
        draw.text((100, y), day, font=fonts.mono(22), fill="black")
        draw.text((260, y), text, font=fonts.regular(22), fill="black")
        colour = (160, 0, 0) if cents < 0 else "black"
        draw.text((1140, y), f"{cents / 100:,.2f}", font=fonts.mono(22), fill=colour, anchor="ra")
        y += 48
    return image


def _spreadsheet(rng: random.Random, fonts: _Fonts, change: str | None) -> Image.Image:
    columns, rows = 8, 30
    width, height = 1366, 768
    numbers = [[rng.randint(0, 99999) for _ in range(columns)] for _ in range(rows)]
    if change == "digit":
        numbers[12][3] += 1
    elif change == "every number":
        numbers = [[rng.randint(0, 99999) for _ in range(columns)] for _ in range(rows)]
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, 60), fill=(33, 115, 70))
    draw.text((20, 14), "Budget.xlsx", font=fonts.bold(26), fill="white")
    cell_w, cell_h = 160, 22
    for r in range(rows):
        for c in range(columns):
            x, y = 40 + c * cell_w, 80 + r * cell_h
            draw.rectangle((x, y, x + cell_w, y + cell_h), outline=(200, 200, 200))
            draw.text((x + cell_w - 6, y + 3), f"{numbers[r][c]:,}", font=fonts.regular(15),
                      fill="black", anchor="ra")  # fmt: skip
    return image


def _statusbar(draw: ImageDraw.ImageDraw, fonts: _Fonts, width: int, clock: str, battery: int,
               scale: int) -> None:  # fmt: skip
    draw.text((40 * scale, 16 * scale), clock, font=fonts.bold(17 * scale), fill="black")
    draw.text((width - 40 * scale, 16 * scale), f"{battery}%", font=fonts.regular(16 * scale),
              fill="black", anchor="ra")  # fmt: skip


def _chat(rng: random.Random, fonts: _Fonts, change: str | None) -> Image.Image:
    scale = rng.choice((2, 3))
    width, height = 390 * scale, 844 * scale  # an iPhone's screenshot
    lines = [" ".join(rng.choice(_PROSE) for _ in range(rng.randint(3, 9))) for _ in range(9)]
    clock, battery = f"{rng.randint(7, 11)}:{rng.randint(10, 48):02d}", rng.randint(20, 99)
    if change == "word":
        words = lines[4].split()
        words[1] = "tomorrow" if words[1] != "tomorrow" else "tonight"
        lines[4] = " ".join(words)
    elif change == "clock":
        clock = clock[:-2] + f"{int(clock[-2:]) + 1:02d}"
    elif change == "battery":
        battery -= 1
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    _statusbar(draw, fonts, width, clock, battery, scale)
    draw.rectangle((0, 50 * scale, width, 100 * scale), fill=(246, 246, 246))
    draw.text((width // 2, 75 * scale), "Anna", font=fonts.bold(18 * scale), fill="black",
              anchor="mm")  # fmt: skip
    y = 120 * scale
    font = fonts.regular(16 * scale)
    for number, text in enumerate(lines):
        mine = number % 2 == 1
        box = draw.textbbox((0, 0), text, font=font)
        w = min(box[2] + 28 * scale, width - 80 * scale)
        x = width - 16 * scale - w if mine else 16 * scale
        colour = (10, 132, 255) if mine else (233, 233, 235)
        draw.rounded_rectangle((x, y, x + w, y + 40 * scale), radius=18 * scale, fill=colour)
        draw.text((x + 14 * scale, y + 10 * scale), text, font=font,
                  fill="white" if mine else "black")  # fmt: skip
        y += 56 * scale
    return image


def _settings(rng: random.Random, fonts: _Fonts, change: str | None) -> Image.Image:
    desktop = rng.random() < 0.5
    width, height = (1440, 900) if desktop else (1170, 2532)
    scale = 1 if desktop else 3
    labels = ["Wi-Fi", "Bluetooth", "Airplane mode", "Notifications", "Location", "Dark mode",
              "Auto-lock", "Backup", "Sounds", "Hotspot"]  # fmt: skip
    toggles = [rng.random() < 0.5 for _ in labels]
    clock, battery = f"{rng.randint(7, 11)}:{rng.randint(10, 48):02d}", rng.randint(20, 99)
    if change == "toggle":
        toggles[4] = not toggles[4]
    elif change == "word":
        labels[6] = "Auto-dim"
    elif change == "clock":
        clock = clock[:-2] + f"{int(clock[-2:]) + 1:02d}"
    image = Image.new("RGB", (width, height), (242, 242, 247))
    draw = ImageDraw.Draw(image)
    _statusbar(draw, fonts, width, clock, battery, scale)
    draw.text((40 * scale, 60 * scale), "Settings", font=fonts.bold(30 * scale), fill="black")
    y = 120 * scale
    for label, on in zip(labels, toggles, strict=True):
        draw.rectangle((20 * scale, y, width - 20 * scale, y + 56 * scale), fill="white")
        draw.text((40 * scale, y + 16 * scale), label, font=fonts.regular(20 * scale),
                  fill="black")  # fmt: skip
        x = width - 90 * scale
        colour = (52, 199, 89) if on else (220, 220, 224)
        box = (x, y + 12 * scale, x + 56 * scale, y + 44 * scale)
        draw.rounded_rectangle(box, radius=16 * scale, fill=colour)
        knob = x + (26 if on else 2) * scale
        draw.ellipse((knob, y + 14 * scale, knob + 28 * scale, y + 42 * scale), fill="white")
        y += 62 * scale
    return image


def _slide(rng: random.Random, fonts: _Fonts, change: str | None) -> Image.Image:
    width, height = 1920, 1080
    bullets = [" ".join(rng.choice(_PROSE) for _ in range(rng.randint(4, 7))) for _ in range(4)]
    year = rng.randint(2008, 2023)
    bars = [rng.randint(120, 520) for _ in range(6)]
    if change == "word":
        words = bullets[2].split()
        words[-1] = "harbour" if words[-1] != "harbour" else "market"
        bullets[2] = " ".join(words)
    elif change == "year":
        year += 1
    image = Image.new("RGB", (width, height), (250, 250, 252))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, 150), fill=(30, 60, 120))
    draw.text((80, 40), f"Results {year}", font=fonts.bold(64), fill="white")
    for number, text in enumerate(bullets):
        draw.text((100, 230 + number * 90), "\u2022 " + text, font=fonts.regular(40),
                  fill=(30, 30, 30))  # fmt: skip
    for number, bar in enumerate(bars):
        x = 1150 + number * 110
        draw.rectangle((x, 950 - bar, x + 70, 950), fill=(220, 120, 40))
        draw.text((x + 35, 980), str(year - 5 + number), font=fonts.regular(24), fill="black",
                  anchor="mm")  # fmt: skip
    return image


def _page(rng: random.Random, fonts: _Fonts, change: str | None) -> Image.Image:
    width, height = 1000, 1500
    words = [rng.choice(_PROSE) for _ in range(420)]
    if change == "word":
        words[200] = "lighthouse" if words[200] != "lighthouse" else "boatyard"
    image = Image.new("RGB", (width, height), (253, 251, 245))
    draw = ImageDraw.Draw(image)
    font = fonts.regular(26)
    x, y, line = 90, 110, 40
    for word in words:
        w = draw.textlength(word + " ", font=font)
        if x + w > width - 90:
            x, y = 90, y + line
        if y > height - 120:
            break
        draw.text((x, y), word, font=font, fill=(25, 25, 25))
        x += w
    draw.text((width // 2, height - 70), str(rng.randint(11, 300)), font=font, fill="black",
              anchor="mm")  # fmt: skip
    return image


TEMPLATES: dict[str, tuple[Callable[[random.Random, _Fonts, str | None], Image.Image],
                           tuple[str, ...]]] = {
    "receipt": (_receipt, ("digit", "word", "date")),
    "form": (_form, ("tick", "word")),
    "statement": (_statement, ("digit",)),
    "spreadsheet": (_spreadsheet, ("digit", "every number")),
    "chat": (_chat, ("word", "clock", "battery")),
    "settings": (_settings, ("toggle", "word", "clock")),
    "slide": (_slide, ("word", "year")),
    "page": (_page, ("word",)),
}  # fmt: skip


def documents(per_set: int = 3) -> list[Document]:
    """Every template in every font family, `per_set` documents each, with their versions."""
    found = []
    for template, (render, changes) in TEMPLATES.items():
        for family in FAMILIES:
            fonts = _Fonts(family)
            for number in range(per_set):
                seed = zlib.crc32(f"{template}/{family}/{number}".encode())
                base = render(random.Random(seed), fonts, None)
                versions = [
                    (f"{change} changed", np.asarray(render(random.Random(seed), fonts, change)))
                    for change in changes
                ]
                found.append(
                    Document(
                        f"{template}-{family}-{number}",
                        f"{template}/{family}",
                        np.asarray(base),
                        versions,
                    )
                )
    return found
