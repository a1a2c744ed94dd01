//! A client's products: SKU, on-hand stock, and every column the guide adds (costs, lead
//! times and the order-timing cache).

pub mod handlers;
pub mod queries;
pub mod types;
