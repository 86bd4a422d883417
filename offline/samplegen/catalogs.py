"""Product catalogues per shop (names in the shop's language, prices in major units)."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Catalog:
    """Products of one shop and how it writes variants (``{name} - {color} / {size}``)."""

    products: tuple[tuple[str, int, int], ...]
    colors: tuple[str, ...] = ()
    sizes: tuple[str, ...] = ()
    variant_fmt: str = "{name} - {color} / {size}"
    color_fmt: str = "{name} - {color}"
    variant_rate: float = 0.5

    def draw(self, rng: random.Random, k: int) -> list[tuple[str, int]]:
        """Pick ``k`` distinct products; return ``(display name, unit price in major units)``."""
        out: list[tuple[str, int]] = []
        for name, lo, hi in rng.sample(self.products, k):
            price = rng.randint(lo, hi)
            if self.colors and rng.random() < self.variant_rate:
                color = rng.choice(self.colors)
                if self.sizes and rng.random() < 0.6:
                    name = self.variant_fmt.format(name=name, color=color, size=rng.choice(self.sizes))
                else:
                    name = self.color_fmt.format(name=name, color=color)
            out.append((name, price))
        return out


OUTDOOR = Catalog(
    products=(
        ("Trail Runner Shoes", 89, 160),
        ("Merino Base Layer", 55, 95),
        ("Packable Rain Shell", 120, 240),
        ("Insulated Bottle 750 ml", 25, 45),
        ("Enamel Camp Mug", 12, 22),
        ("Trekking Poles (pair)", 60, 140),
        ("Headlamp 400", 29, 59),
        ("Fleece Beanie", 18, 32),
        ("Down Vest", 110, 190),
        ("Hiking Socks 3-Pack", 19, 35),
        ("Daypack 24L", 70, 130),
        ("Sun Hoodie", 45, 75),
        ("Compression Sack", 15, 28),
        ("Camp Stove Mini", 40, 80),
    ),
    colors=("Black", "Navy", "Sage", "Rust", "Glacier Blue", "Sand"),
    sizes=("XS", "S", "M", "L", "XL"),
)
HOME_GB = Catalog(
    products=(
        ("Linen Duvet Cover", 85, 180),
        ("Stoneware Mug Set of 4", 28, 48),
        ("Oak Serving Board", 30, 65),
        ("Wool Throw", 60, 120),
        ("Ceramic Planter", 18, 45),
        ("Waffle Bath Towel", 16, 30),
        ("Brass Table Lamp", 95, 160),
        ("Jute Doormat", 20, 35),
        ("Glass Carafe", 15, 28),
        ("Scented Candle – Fig & Cedar", 18, 32),
        ("Cotton Cushion Cover", 14, 26),
    ),
    colors=("Oatmeal", "Charcoal", "Terracotta", "Moss", "Chalk"),
    sizes=("Single", "Double", "King"),
    variant_fmt="{name} ({color}, {size})",
    color_fmt="{name} ({color})",
)
GADGETS = Catalog(
    products=(
        ("USB-C Hub 7-in-1", 35, 70),
        ("Mechanical Keyboard TKL", 80, 180),
        ('27" Monitor Arm', 60, 130),
        ("Wireless Mouse M3", 25, 60),
        ("NVMe SSD 1TB", 70, 140),
        ("HDMI 2.1 Cable 2m", 10, 25),
        ("Laptop Stand (Aluminium)", 30, 70),
        ("Noise-Cancelling Earbuds", 90, 220),
        ("Webcam 1080p", 40, 90),
        ("Smart Plug 2-Pack", 20, 40),
        ("Portable Charger 20000mAh", 35, 65),
    ),
    colors=("Space Grey", "Silver", "Black"),
    color_fmt="{name} [{color}]",
    variant_rate=0.3,
)
KAUFHAUS = Catalog(
    products=(
        ("Leinenhemd", 49, 89),
        ("Kaffeebecher aus Steingut", 12, 24),
        ("Wanderrucksack 30 L", 79, 149),
        ("Wollpullover", 69, 129),
        ("Thermoskanne 1 l", 25, 45),
        ("Bettwäsche Satin", 59, 119),
        ("Kochmesser 20 cm", 45, 110),
        ("Gusseisenpfanne 28 cm", 55, 99),
        ("Frottier-Handtuch", 9, 19),
        ("Regenschirm Automatik", 19, 39),
        ("Lederschuhe Derby", 99, 189),
        ("Schreibtischlampe LED", 35, 79),
    ),
    colors=("Schwarz", "Dunkelblau", "Salbei", "Grau", "Weiß"),
    sizes=("S", "M", "L", "XL", "38", "40", "42"),
    variant_fmt="{name}, {color}, Gr. {size}",
    color_fmt="{name}, {color}",
)
MAISON = Catalog(
    products=(
        ("Pull en laine mérinos", 79, 149),
        ("Carnet pointillé A5", 9, 19),
        ("Bougie parfumée « Figuier »", 24, 42),
        ("Tote bag en lin", 25, 45),
        ("Marinière col bateau", 45, 85),
        ("Théière en fonte", 39, 79),
        ("Savon de Marseille (lot de 3)", 12, 20),
        ("Écharpe en cachemire", 89, 190),
        ("Vase en grès", 29, 59),
        ("Plaid en coton bio", 59, 99),
        ("Espadrilles corde", 35, 60),
    ),
    colors=("Écru", "Bleu marine", "Rouge", "Gris chiné", "Vert sauge"),
    sizes=("XS", "S", "M", "L", "38", "40"),
    variant_fmt="{name} — {color}, taille {size}",
    color_fmt="{name} — {color}",
)
SOLANA = Catalog(
    products=(
        ("Camiseta de algodón orgánico", 15, 29),
        ("Sandalias de piel", 39, 79),
        ("Aceite de oliva virgen extra 500 ml", 8, 16),
        ("Sombrero de paja", 19, 39),
        ("Toalla de playa", 18, 34),
        ("Gafas de sol polarizadas", 35, 89),
        ("Bolso de esparto", 29, 59),
        ("Vestido de lino", 49, 99),
        ("Abanico pintado a mano", 12, 25),
        ("Cuaderno de tapa dura", 9, 18),
        ("Jabón artesanal de lavanda", 5, 11),
    ),
    colors=("Blanco", "Azul", "Arena", "Coral", "Negro"),
    sizes=("S", "M", "L", "36", "38", "40"),
    variant_fmt="{name} ({color}, talla {size})",
    color_fmt="{name} ({color})",
)
ZAKKA = Catalog(
    products=(
        ("今治タオル フェイスタオル", 1200, 2400),
        ("有田焼 マグカップ", 1800, 3800),
        ("竹製 箸セット", 900, 2200),
        ("手ぬぐい（藍染）", 1100, 1900),
        ("南部鉄器 急須", 6800, 14800),
        ("檜のまな板", 2800, 5600),
        ("和紙ノート A5", 600, 1400),
        ("抹茶 100g", 1500, 3200),
        ("がま口 ポーチ", 1400, 2900),
        ("土鍋 2〜3人用", 4500, 8900),
        ("風呂敷 70cm", 1600, 3300),
        ("ガラスの小鉢", 900, 1800),
    ),
    colors=("白", "紺", "生成り", "桜色", "墨"),
    color_fmt="{name}（{color}）",
    variant_rate=0.35,
)
