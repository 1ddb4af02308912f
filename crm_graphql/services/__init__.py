"""Domain operations. Services know Tortoise and Decimal, never strawberry."""
