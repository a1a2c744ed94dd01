//! The demo world's vocabulary: brands, industries, and what each industry sells.
//!
//! Static data only. Everything random (which brand gets which industry, prices, demand)
//! is decided in `world.rs` and `sql.rs` from the seed; this file only says what is
//! plausible, so a reviewer can change the flavour of the demo without touching logic.

/// An industry a client works in: how its products are named and priced, how seasonal and
/// bulky its demand is, and how long its supply chain takes.
pub(super) struct Industry {
    /// Stored in `clients.industry` (and used as a benchmark cohort).
    pub key: &'static str,
    /// Second word of the client's name ("Northwind Apparel").
    pub label: &'static str,
    /// Last letter of the SKU prefix ("NWA").
    pub code: &'static str,
    /// How strongly demand follows the Q4 peak and summer dip (1.0 = the reference curve).
    pub season_amp: f64,
    /// Typical units per order line (case packs for food, single units for electronics).
    pub units_per_line: f64,
    /// Supplier and shipping lead-time ranges in days (inclusive).
    pub supplier_days: (i32, i32),
    pub shipping_days: (i32, i32),
    /// Appended to item names: colours, sizes, flavours.
    pub variants: &'static [&'static str],
    pub categories: &'static [Category],
}

/// A product category: its `products.category`, the word in its SKUs, the items it holds and
/// the range of their unit costs in dollars.
pub(super) struct Category {
    pub name: &'static str,
    pub sku: &'static str,
    pub items: &'static [&'static str],
    pub cost: (f64, f64),
}

/// Brand names and the two letters each contributes to SKU prefixes ("Northwind" → "NW").
/// The codes are distinct, so SKU prefixes are distinct for the first
/// `BRANDS.len() * INDUSTRIES.len()` clients.
pub(super) const BRANDS: &[(&str, &str)] = &[
    ("Northwind", "NW"),
    ("Bluepeak", "BP"),
    ("Cedar Lane", "CL"),
    ("Harborview", "HV"),
    ("Summit Ridge", "SR"),
    ("Redwood", "RW"),
    ("Silverline", "SL"),
    ("Maple Street", "MS"),
    ("Brightwater", "BW"),
    ("Ironwood", "IW"),
    ("Pinecrest", "PC"),
    ("Riverbend", "RB"),
    ("Stonebridge", "SB"),
    ("Willowbrook", "WB"),
    ("Sunset Coast", "SC"),
    ("Evergreen", "EG"),
    ("Lakeside", "LS"),
    ("Copperfield", "CF"),
    ("Highland", "HL"),
    ("Meadowlark", "ML"),
    ("Blue Fern", "BF"),
    ("Granite Peak", "GP"),
    ("Saltmarsh", "SM"),
    ("Juniper", "JN"),
    ("Foxglove", "FG"),
    ("Driftwood", "DW"),
    ("Aspen Grove", "AG"),
    ("Tidewater", "TW"),
    ("Oakhurst", "OH"),
    ("Kestrel", "KS"),
];

pub(super) const INDUSTRIES: &[Industry] = &[
    Industry {
        key: "apparel",
        label: "Apparel",
        code: "A",
        season_amp: 1.0,
        units_per_line: 2.0,
        supplier_days: (20, 45),
        shipping_days: (10, 30),
        variants: &[
            "Black",
            "White",
            "Navy",
            "Heather Grey",
            "Olive",
            "Burgundy",
            "Sand",
        ],
        categories: &[
            Category {
                name: "T-Shirts",
                sku: "TSHIRT",
                items: &[
                    "Classic Crew Tee",
                    "V-Neck Tee",
                    "Pocket Tee",
                    "Long Sleeve Tee",
                    "Organic Cotton Tee",
                ],
                cost: (3.5, 9.0),
            },
            Category {
                name: "Hoodies",
                sku: "HOODIE",
                items: &[
                    "Pullover Hoodie",
                    "Zip Hoodie",
                    "Fleece Hoodie",
                    "Heavyweight Hoodie",
                ],
                cost: (12.0, 28.0),
            },
            Category {
                name: "Denim",
                sku: "DENIM",
                items: &[
                    "Slim Jeans",
                    "Straight Jeans",
                    "Relaxed Jeans",
                    "Denim Jacket",
                ],
                cost: (14.0, 35.0),
            },
            Category {
                name: "Outerwear",
                sku: "JACKET",
                items: &[
                    "Rain Shell",
                    "Puffer Jacket",
                    "Softshell Jacket",
                    "Quilted Vest",
                ],
                cost: (25.0, 70.0),
            },
            Category {
                name: "Accessories",
                sku: "ACCESS",
                items: &[
                    "Beanie",
                    "Knit Scarf",
                    "Canvas Belt",
                    "Baseball Cap",
                    "Crew Socks 3-Pack",
                ],
                cost: (2.0, 10.0),
            },
        ],
    },
    Industry {
        key: "beauty",
        label: "Beauty",
        code: "B",
        season_amp: 1.1,
        units_per_line: 3.0,
        supplier_days: (10, 30),
        shipping_days: (5, 20),
        variants: &[
            "30 ml",
            "50 ml",
            "100 ml",
            "Travel Size",
            "Unscented",
            "Rose",
            "Citrus",
        ],
        categories: &[
            Category {
                name: "Skincare",
                sku: "SKIN",
                items: &[
                    "Hydrating Serum",
                    "Daily Moisturizer",
                    "Gel Cleanser",
                    "Night Cream",
                    "Vitamin C Serum",
                ],
                cost: (4.0, 18.0),
            },
            Category {
                name: "Makeup",
                sku: "MAKEUP",
                items: &[
                    "Tinted Lip Balm",
                    "Liquid Foundation",
                    "Mascara",
                    "Cream Blush",
                    "Brow Pencil",
                ],
                cost: (3.0, 14.0),
            },
            Category {
                name: "Hair Care",
                sku: "HAIR",
                items: &[
                    "Repair Shampoo",
                    "Silk Conditioner",
                    "Hair Oil",
                    "Styling Cream",
                ],
                cost: (3.0, 12.0),
            },
            Category {
                name: "Fragrance",
                sku: "FRAG",
                items: &["Eau de Parfum", "Body Mist", "Solid Perfume"],
                cost: (8.0, 35.0),
            },
            Category {
                name: "Bath & Body",
                sku: "BODY",
                items: &["Body Wash", "Hand Cream", "Sugar Scrub", "Bath Salts"],
                cost: (2.5, 9.0),
            },
        ],
    },
    Industry {
        key: "electronics",
        label: "Electronics",
        code: "E",
        season_amp: 1.3,
        units_per_line: 1.3,
        supplier_days: (25, 50),
        shipping_days: (14, 35),
        variants: &["Black", "White", "Graphite", "Silver", "Blue"],
        categories: &[
            Category {
                name: "Audio",
                sku: "AUDIO",
                items: &[
                    "Wireless Earbuds",
                    "Over-Ear Headphones",
                    "Bluetooth Speaker",
                    "Soundbar",
                ],
                cost: (15.0, 90.0),
            },
            Category {
                name: "Chargers",
                sku: "CHRG",
                items: &[
                    "USB-C Charger 65W",
                    "Wireless Charging Pad",
                    "Power Bank 10000mAh",
                    "Car Charger",
                ],
                cost: (5.0, 25.0),
            },
            Category {
                name: "Cables",
                sku: "CABLE",
                items: &[
                    "USB-C Cable 2m",
                    "Lightning Cable 1m",
                    "HDMI Cable 2m",
                    "Braided USB-C Cable",
                ],
                cost: (1.5, 6.0),
            },
            Category {
                name: "Smart Home",
                sku: "SMART",
                items: &["Smart Plug", "Wi-Fi Camera", "Smart Bulb", "Video Doorbell"],
                cost: (8.0, 60.0),
            },
            Category {
                name: "Accessories",
                sku: "ACC",
                items: &[
                    "Phone Case",
                    "Laptop Sleeve",
                    "Screen Protector",
                    "Tablet Stand",
                ],
                cost: (2.0, 15.0),
            },
        ],
    },
    Industry {
        key: "food_and_beverage",
        label: "Foods",
        code: "F",
        season_amp: 0.5,
        units_per_line: 6.0,
        supplier_days: (5, 14),
        shipping_days: (2, 7),
        variants: &[
            "Original",
            "Sea Salt",
            "Dark Chocolate",
            "Vanilla",
            "Spicy",
            "12-Pack",
            "Family Size",
        ],
        categories: &[
            Category {
                name: "Snacks",
                sku: "SNACK",
                items: &["Protein Bar", "Trail Mix", "Kettle Chips", "Rice Crackers"],
                cost: (0.8, 3.0),
            },
            Category {
                name: "Coffee & Tea",
                sku: "COFFEE",
                items: &[
                    "Whole Bean Coffee 1kg",
                    "Ground Coffee 500g",
                    "Green Tea 50 Bags",
                    "Cold Brew Concentrate",
                ],
                cost: (4.0, 14.0),
            },
            Category {
                name: "Beverages",
                sku: "DRINK",
                items: &[
                    "Sparkling Water",
                    "Kombucha",
                    "Oat Milk",
                    "Electrolyte Drink",
                ],
                cost: (0.6, 2.5),
            },
            Category {
                name: "Pantry",
                sku: "PANTRY",
                items: &["Olive Oil 750ml", "Pasta Sauce", "Granola", "Maple Syrup"],
                cost: (2.0, 9.0),
            },
            Category {
                name: "Confectionery",
                sku: "CANDY",
                items: &["Chocolate Bar", "Gummy Bears", "Salted Caramels"],
                cost: (0.7, 4.0),
            },
        ],
    },
    Industry {
        key: "home_goods",
        label: "Home",
        code: "H",
        season_amp: 1.0,
        units_per_line: 1.6,
        supplier_days: (20, 40),
        shipping_days: (10, 28),
        variants: &["Natural", "Charcoal", "Ivory", "Sage", "Terracotta"],
        categories: &[
            Category {
                name: "Kitchen",
                sku: "KITCH",
                items: &[
                    "Chef's Knife",
                    "Cast Iron Skillet",
                    "Cutting Board",
                    "Mixing Bowl Set",
                ],
                cost: (5.0, 35.0),
            },
            Category {
                name: "Bedding",
                sku: "BED",
                items: &[
                    "Linen Duvet Cover",
                    "Percale Sheet Set",
                    "Down Pillow",
                    "Wool Throw",
                ],
                cost: (15.0, 60.0),
            },
            Category {
                name: "Bath",
                sku: "BATH",
                items: &["Bath Towel", "Bath Mat", "Shower Curtain", "Towel Set"],
                cost: (4.0, 20.0),
            },
            Category {
                name: "Decor",
                sku: "DECOR",
                items: &[
                    "Ceramic Vase",
                    "Scented Candle",
                    "Picture Frame",
                    "Wall Mirror",
                ],
                cost: (3.0, 40.0),
            },
            Category {
                name: "Storage",
                sku: "STORE",
                items: &["Storage Basket", "Glass Jar Set", "Drawer Organizer"],
                cost: (3.0, 18.0),
            },
        ],
    },
    Industry {
        key: "sporting_goods",
        label: "Sports",
        code: "S",
        season_amp: 0.6,
        units_per_line: 1.5,
        supplier_days: (15, 35),
        shipping_days: (7, 25),
        variants: &["Black", "Red", "Blue", "Neon", "Size M", "Size L"],
        categories: &[
            Category {
                name: "Fitness",
                sku: "FIT",
                items: &[
                    "Yoga Mat",
                    "Resistance Bands",
                    "Kettlebell 12kg",
                    "Jump Rope",
                    "Foam Roller",
                ],
                cost: (3.0, 30.0),
            },
            Category {
                name: "Cycling",
                sku: "CYCLE",
                items: &[
                    "Bike Helmet",
                    "Bike Light Set",
                    "Water Bottle Cage",
                    "Padded Shorts",
                ],
                cost: (3.0, 35.0),
            },
            Category {
                name: "Outdoor",
                sku: "OUTDR",
                items: &[
                    "Trekking Poles",
                    "Daypack 20L",
                    "Camping Lantern",
                    "Insulated Bottle",
                ],
                cost: (6.0, 40.0),
            },
            Category {
                name: "Team Sports",
                sku: "TEAM",
                items: &["Soccer Ball", "Basketball", "Shin Guards", "Training Cones"],
                cost: (3.0, 20.0),
            },
            Category {
                name: "Activewear",
                sku: "ACTIVE",
                items: &["Running Tee", "Training Shorts", "Compression Socks"],
                cost: (4.0, 14.0),
            },
        ],
    },
    Industry {
        key: "pet_supplies",
        label: "Pets",
        code: "P",
        season_amp: 0.4,
        units_per_line: 3.0,
        supplier_days: (7, 21),
        shipping_days: (3, 12),
        variants: &["Small", "Medium", "Large", "Chicken", "Salmon"],
        categories: &[
            Category {
                name: "Dog Food",
                sku: "DOGFD",
                items: &[
                    "Grain-Free Kibble 5kg",
                    "Puppy Food 2kg",
                    "Wet Food 12-Pack",
                    "Dental Chews",
                ],
                cost: (3.0, 25.0),
            },
            Category {
                name: "Cat Food",
                sku: "CATFD",
                items: &["Indoor Cat Kibble", "Wet Cat Food Pouches", "Cat Treats"],
                cost: (2.0, 18.0),
            },
            Category {
                name: "Pet Toys",
                sku: "PTOY",
                items: &["Rope Toy", "Squeaky Ball", "Feather Wand", "Chew Bone"],
                cost: (1.5, 8.0),
            },
            Category {
                name: "Pet Accessories",
                sku: "PACC",
                items: &["Nylon Leash", "Padded Harness", "Pet Bed", "Steel Bowl"],
                cost: (3.0, 30.0),
            },
            Category {
                name: "Grooming",
                sku: "GROOM",
                items: &["Pet Shampoo", "Deshedding Brush", "Nail Clipper"],
                cost: (2.0, 12.0),
            },
        ],
    },
    Industry {
        key: "toys",
        label: "Toys",
        code: "T",
        season_amp: 1.6,
        units_per_line: 1.8,
        supplier_days: (20, 45),
        shipping_days: (10, 30),
        variants: &["Red", "Blue", "Rainbow", "Deluxe Edition", "Mini"],
        categories: &[
            Category {
                name: "Building Sets",
                sku: "BUILD",
                items: &["Building Blocks 500pc", "Marble Run", "Magnetic Tiles"],
                cost: (8.0, 35.0),
            },
            Category {
                name: "Puzzles",
                sku: "PUZZLE",
                items: &["Jigsaw Puzzle 1000pc", "Floor Puzzle", "3D Puzzle"],
                cost: (4.0, 15.0),
            },
            Category {
                name: "Plush",
                sku: "PLUSH",
                items: &["Plush Bear", "Plush Unicorn", "Plush Dinosaur"],
                cost: (3.0, 12.0),
            },
            Category {
                name: "Games",
                sku: "GAME",
                items: &["Family Board Game", "Card Game", "Strategy Game"],
                cost: (5.0, 25.0),
            },
            Category {
                name: "Outdoor Play",
                sku: "PLAY",
                items: &["Bubble Machine", "Kite", "Water Blaster", "Sidewalk Chalk"],
                cost: (2.0, 18.0),
            },
        ],
    },
    Industry {
        key: "health_wellness",
        label: "Wellness",
        code: "W",
        season_amp: 0.5,
        units_per_line: 2.5,
        supplier_days: (10, 25),
        shipping_days: (5, 14),
        variants: &["30 Count", "60 Count", "90 Count", "Unflavored", "Berry"],
        categories: &[
            Category {
                name: "Vitamins",
                sku: "VITA",
                items: &[
                    "Multivitamin",
                    "Vitamin D3",
                    "Omega-3 Fish Oil",
                    "Magnesium",
                ],
                cost: (3.0, 12.0),
            },
            Category {
                name: "Protein",
                sku: "PROT",
                items: &["Whey Protein 1kg", "Plant Protein 1kg", "Collagen Powder"],
                cost: (10.0, 30.0),
            },
            Category {
                name: "Personal Care",
                sku: "CARE",
                items: &["Toothbrush Heads", "Bamboo Toothbrush", "Natural Deodorant"],
                cost: (1.5, 10.0),
            },
            Category {
                name: "First Aid",
                sku: "AID",
                items: &["First Aid Kit", "Bandage Assortment", "Cold Pack"],
                cost: (2.0, 15.0),
            },
        ],
    },
    Industry {
        key: "office_supplies",
        label: "Office",
        code: "O",
        season_amp: 0.7,
        units_per_line: 4.0,
        supplier_days: (7, 20),
        shipping_days: (3, 10),
        variants: &["Black", "Blue", "Assorted", "Pack of 12"],
        categories: &[
            Category {
                name: "Paper",
                sku: "PAPER",
                items: &[
                    "Copy Paper Ream",
                    "Spiral Notebook",
                    "Sticky Notes",
                    "Legal Pad",
                ],
                cost: (1.0, 6.0),
            },
            Category {
                name: "Writing",
                sku: "PEN",
                items: &["Gel Pen", "Ballpoint Pen", "Highlighter Set", "Fine Liner"],
                cost: (0.5, 6.0),
            },
            Category {
                name: "Desk",
                sku: "DESK",
                items: &["Desk Organizer", "Monitor Riser", "Stapler", "Desk Lamp"],
                cost: (4.0, 30.0),
            },
            Category {
                name: "Filing",
                sku: "FILE",
                items: &["File Folders", "Binder 2in", "Label Maker Tape"],
                cost: (1.5, 10.0),
            },
        ],
    },
];
