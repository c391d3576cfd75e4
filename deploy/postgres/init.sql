-- Each service owns its data: payments-api gets a database of its own.
CREATE DATABASE payments;
