"""What the tests run against: local servers (PostgreSQL, DynamoDB through moto, a JWT issuer,
the API), the Data API adapter, Lambda events, hostile inputs and crash points."""
