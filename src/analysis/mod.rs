//! The functional core: pure evaluation over plain data read from Kafka.
//! Nothing here touches the network, the clock, the environment or tokio.

pub mod audit;
pub mod capacity;
pub mod finding;
pub mod glob;
pub mod health;
pub mod lag;
pub mod murmur2;
pub mod observed;
pub mod offset;
pub mod payload;
pub mod rates;
pub mod sample;
pub mod skew;
pub mod suggest;
pub mod topic;

#[cfg(test)]
pub mod fixtures;
