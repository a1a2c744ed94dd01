//! Who is calling: the operators' `ADMIN_TOKEN` for `/admin/*`.

pub mod admin;
