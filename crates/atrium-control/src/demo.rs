//! Demo tenants with realistic sample data, for the `up` command.

use atrium_core::domain::Result;
use atrium_core::tenancy::quote_ident;
use rand::{rngs::StdRng, seq::SliceRandom, Rng, SeedableRng};
use serde::Serialize;
use uuid::Uuid;

use crate::{provision::NewTenant, registry::Tenant, Control};

#[derive(Debug, Serialize)]
pub struct DemoTenant {
    pub slug: String,
    pub api_key: String,
}

const COMPANIES: &[(&str, &str, &str)] = &[
    ("Northwind Traders", "northwind.example", "Wholesale"),
    ("Contoso Pharmaceuticals", "contoso.example", "Healthcare"),
    ("Fabrikam Robotics", "fabrikam.example", "Manufacturing"),
    ("Tailspin Toys", "tailspin.example", "Retail"),
    ("Wide World Importers", "wideworld.example", "Logistics"),
    ("Litware Analytics", "litware.example", "Software"),
    (
        "Adventure Works Cycles",
        "adventure-works.example",
        "Retail",
    ),
    ("Proseware Learning", "proseware.example", "Education"),
    ("Woodgrove Bank", "woodgrove.example", "Finance"),
    ("Lucerne Publishing", "lucerne.example", "Media"),
    ("Alpine Ski House", "alpineski.example", "Hospitality"),
    ("Coho Winery", "cohowinery.example", "Food & Beverage"),
];
const PEOPLE: &[&str] = &[
    "Ada Moreau",
    "Bilal Haddad",
    "Chen Wei",
    "Dana Kowalski",
    "Elif Yilmaz",
    "Farah Nasser",
    "Gustavo Lima",
    "Hana Sato",
    "Ivan Petrov",
    "Jia Li",
    "Kwame Mensah",
    "Lena Fischer",
];
const TITLES: &[&str] = &[
    "CEO",
    "Head of Procurement",
    "CTO",
    "Operations Manager",
    "Finance Director",
];
const PRODUCTS: &[(&str, i64)] = &[
    ("Atrium Seat License", 4_900),
    ("Onboarding Package", 150_000),
    ("Premium Support (1y)", 240_000),
    ("Data Migration", 90_000),
    ("Analytics Add-on", 19_900),
];
const STAGES: &[&str] = &["lead", "qualified", "proposal", "won", "lost"];

const INSERT_CUSTOMER: &str =
    "INSERT INTO customers (id, name, domain, industry) VALUES ($1, $2, $3, $4)";
const INSERT_CONTACT: &str = "INSERT INTO contacts (id, customer_id, name, email, title)
     VALUES ($1, $2, $3, $4, $5)";
const INSERT_DEAL: &str =
    "INSERT INTO deals (id, customer_id, title, amount_cents, currency, stage)
     VALUES ($1, $2, $3, $4, 'EUR', $5)";
const INSERT_FIRST_STAGE: &str =
    "INSERT INTO deal_stage_history (deal_id, from_stage, to_stage) VALUES ($1, NULL, $2)";
const INSERT_ORDER: &str =
    "INSERT INTO orders (id, customer_id, item, quantity, amount_cents, currency)
     VALUES ($1, $2, $3, $4, $5, 'EUR')";

/// One of `from` (the lists above are never empty).
fn pick<T: Copy>(rng: &mut StdRng, from: &[T]) -> T {
    from[rng.gen_range(0..from.len())]
}

impl Control {
    /// Provisions `slugs` (those that exist already are kept as they are), fills each with
    /// sample data once, and issues a fresh demo key per tenant.
    pub async fn seed_demo(&self, slugs: &[(&str, &str)], actor: &str) -> Result<Vec<DemoTenant>> {
        let mut out = Vec::new();
        for (i, (slug, name)) in slugs.iter().enumerate() {
            let existing = self
                .get_tenant(slug)
                .await
                .ok()
                .filter(|t| t.state.is_live());
            let tenant = match existing {
                Some(t) => t,
                None => {
                    let new = NewTenant {
                        slug: (*slug).into(),
                        display_name: Some((*name).into()),
                        plan: Some("pro".into()),
                        ..Default::default()
                    };
                    self.provision(&new, actor).await?
                }
            };
            self.fill(&tenant, i as u64).await?;
            let key = self.create_key(slug, "demo", actor).await?;
            out.push(DemoTenant {
                slug: (*slug).into(),
                api_key: key.secret,
            });
        }
        Ok(out)
    }

    /// Sample data in the tenant's placement: its schema, or (with its id set, for the
    /// pool's row-level security and `tenant_id` defaults) its pool.
    async fn fill(&self, tenant: &Tenant, seed: u64) -> Result<()> {
        let mut conn = self.db_of(&tenant.cluster_id).await?.get().await?;
        let tx = conn.transaction().await?;
        tx.execute(
            "SELECT set_config('search_path', $1, true), set_config('atrium.tenant_id', $2, true)",
            &[
                &quote_ident(tenant.placement_schema()),
                &tenant.id.to_string(),
            ],
        )
        .await?;
        let existing: i64 = tx
            .query_one("SELECT count(*) FROM customers", &[])
            .await?
            .get(0);
        if existing > 0 {
            return Ok(());
        }
        let mut rng = StdRng::seed_from_u64(seed);
        let mut companies = COMPANIES.to_vec();
        companies.shuffle(&mut rng);
        for (name, domain, industry) in companies.iter().take(9) {
            let customer = Uuid::now_v7();
            tx.execute(INSERT_CUSTOMER, &[&customer, name, domain, industry])
                .await?;
            for _ in 0..rng.gen_range(1..=3) {
                let person = pick(&mut rng, PEOPLE);
                let email = format!(
                    "{}@{domain}",
                    person.split(' ').next().unwrap_or("hello").to_lowercase()
                );
                let title = TITLES.choose(&mut rng).copied();
                tx.execute(
                    INSERT_CONTACT,
                    &[&Uuid::now_v7(), &customer, &person, &email, &title],
                )
                .await?;
            }
            for _ in 0..rng.gen_range(1..=2) {
                let (product, price) = pick(&mut rng, PRODUCTS);
                let stage = pick(&mut rng, STAGES);
                let deal = Uuid::now_v7();
                let amount = price * rng.gen_range(1..=20);
                tx.execute(
                    INSERT_DEAL,
                    &[
                        &deal,
                        &customer,
                        &format!("{product} for {name}"),
                        &amount,
                        &stage,
                    ],
                )
                .await?;
                tx.execute(INSERT_FIRST_STAGE, &[&deal, &stage]).await?;
            }
            for _ in 0..rng.gen_range(0..=3) {
                let (product, price) = pick(&mut rng, PRODUCTS);
                let qty: i32 = rng.gen_range(1..=10);
                tx.execute(
                    INSERT_ORDER,
                    &[
                        &Uuid::now_v7(),
                        &customer,
                        &product,
                        &qty,
                        &(price * i64::from(qty)),
                    ],
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }
}
