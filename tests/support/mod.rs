pub mod cli;
pub mod moto;
pub mod proxy;
pub mod seed;
pub mod simulator;
