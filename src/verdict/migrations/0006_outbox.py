from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('verdict', '0005_tombstones')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PurgeRequest',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('keys', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('attempts', fields.IntField(default=0)),
                ('due_at', fields.DatetimeField(db_index=True, description='Not sent (or claimed) before this', auto_now=False, auto_now_add=False)),
                ('last_error', fields.TextField(null=True, unique=False)),
                ('sent', fields.IntField(default=0, description='How many times it was purged (twice: done)')),
            ],
            options={'table': 'purge_request', 'app': 'verdict', 'pk_attr': 'id', 'table_description': 'Surrogate keys to purge from the shared caches (Varnish, Fastly, Cloudflare).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RevalidationHook',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=100)),
                ('url', fields.CharField(max_length=2000)),
                ('secret', fields.CharField(description='HMAC-SHA256 key of the signature', max_length=200)),
                ('content', fields.JSONField(description='Collections it is told about, each with its site path templates', encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'revalidation_hook', 'app': 'verdict', 'pk_attr': 'id', 'table_description': "An operator's outgoing revalidation webhook (``verdict hooks add``)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='HookDelivery',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('hook', fields.ForeignKeyField('verdict.RevalidationHook', source_field='hook_id', db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.CASCADE)),
                ('idempotency_key', fields.CharField(unique=True, max_length=64)),
                ('payload', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('state', fields.CharField(default='pending', db_index=True, max_length=16)),
                ('attempts', fields.IntField(default=0)),
                ('due_at', fields.DatetimeField(db_index=True, description='Not sent (or claimed) before this', auto_now=False, auto_now_add=False)),
                ('last_status', fields.IntField(null=True)),
                ('last_error', fields.TextField(null=True, unique=False)),
                ('delivered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'hook_delivery', 'app': 'verdict', 'pk_attr': 'id', 'table_description': "One notice to one hook: written with the sync's rows, then POSTed until it succeeds."},
            bases=['Model'],
        ),
    ]
