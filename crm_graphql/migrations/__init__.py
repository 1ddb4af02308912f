"""Database migrations (tortoise-orm built-in): regenerate with
``tortoise -c crm_graphql.db.TORTOISE_ORM makemigrations`` after changing the models."""
