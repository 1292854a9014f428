pub mod cli;
pub mod moto;
pub mod proxy;
pub mod rules;
pub mod seed;
pub mod simulator;
