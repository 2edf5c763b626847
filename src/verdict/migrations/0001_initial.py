from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from verdict.models.content import Lens, Status, Verdict
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Comparison',
            fields=[
                ('id', fields.IntField(generated=False, primary_key=True, unique=True, db_index=True, description="The CMS's own id")),
                ('status', fields.CharEnumField(db_index=True, description='PUBLISHED: published\nDRAFT: draft\nARCHIVED: archived', enum_type=Status, max_length=16)),
                ('cms_updated_at', fields.DatetimeField(description="The CMS's updated-at time", auto_now=False, auto_now_add=False)),
                ('synced_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('slug', fields.CharField(unique=True, max_length=200)),
                ('title', fields.CharField(max_length=300)),
                ('headline', fields.CharField(max_length=500)),
                ('summary', fields.TextField(null=True, unique=False)),
                ('pricing_read', fields.TextField(null=True, unique=False)),
                ('voting_open', fields.BooleanField(default=True)),
                ('published_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'comparison', 'app': 'verdict', 'pk_attr': 'id'},
            bases=['CmsRow'],
        ),
        ops.CreateModel(
            name='QuarantinedEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('source', fields.CharField(max_length=100)),
                ('collection', fields.CharField(max_length=100)),
                ('cms_id', fields.CharField(max_length=100)),
                ('reason_code', fields.CharField(db_index=True, max_length=50)),
                ('reason', fields.TextField(unique=False)),
                ('payload', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('first_seen_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_seen_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'sync_quarantine', 'app': 'verdict', 'unique_together': (('source', 'collection', 'cms_id'),), 'pk_attr': 'id', 'table_description': 'A CMS entry that failed to sync, and why. Cleared once the entry syncs cleanly.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Reviewer',
            fields=[
                ('id', fields.IntField(generated=False, primary_key=True, unique=True, db_index=True, description="The CMS's own id")),
                ('status', fields.CharEnumField(db_index=True, description='PUBLISHED: published\nDRAFT: draft\nARCHIVED: archived', enum_type=Status, max_length=16)),
                ('cms_updated_at', fields.DatetimeField(description="The CMS's updated-at time", auto_now=False, auto_now_add=False)),
                ('synced_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('slug', fields.CharField(unique=True, max_length=200)),
                ('name', fields.CharField(max_length=200)),
                ('lens', fields.CharEnumField(description='DEVELOPER_EXPERIENCE: developer_experience\nCOMPETITION: competition\nTHESIS: thesis\nBUSINESS: business', enum_type=Lens, max_length=32)),
                ('bio', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'reviewer', 'app': 'verdict', 'pk_attr': 'id'},
            bases=['CmsRow'],
        ),
        ops.CreateModel(
            name='SyncCheckpoint',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('source', fields.CharField(max_length=100)),
                ('collection', fields.CharField(max_length=100)),
                ('cursor', fields.DatetimeField(null=True, description='Highest CMS updated-at applied', auto_now=False, auto_now_add=False)),
                ('last_full_sync_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'sync_checkpoint', 'app': 'verdict', 'unique_together': (('source', 'collection'),), 'pk_attr': 'id', 'table_description': 'How far the sync has read one collection of one source.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Tool',
            fields=[
                ('id', fields.IntField(generated=False, primary_key=True, unique=True, db_index=True, description="The CMS's own id")),
                ('status', fields.CharEnumField(db_index=True, description='PUBLISHED: published\nDRAFT: draft\nARCHIVED: archived', enum_type=Status, max_length=16)),
                ('cms_updated_at', fields.DatetimeField(description="The CMS's updated-at time", auto_now=False, auto_now_add=False)),
                ('synced_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('slug', fields.CharField(unique=True, max_length=200)),
                ('name', fields.CharField(max_length=200)),
                ('vendor', fields.CharField(db_index=True, max_length=200)),
                ('tagline', fields.CharField(max_length=500)),
                ('description', fields.TextField(null=True, unique=False)),
                ('category', fields.CharField(db_index=True, max_length=100)),
                ('pricing_entry', fields.CharField(max_length=200)),
                ('license', fields.CharField(null=True, max_length=200)),
                ('open_weights', fields.BooleanField(default=False)),
                ('model_sizes', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('website', fields.CharField(null=True, max_length=500)),
                ('logo_url', fields.CharField(null=True, max_length=500)),
            ],
            options={'table': 'tool', 'app': 'verdict', 'pk_attr': 'id'},
            bases=['CmsRow'],
        ),
        ops.CreateModel(
            name='ComparisonSide',
            fields=[
                ('id', fields.IntField(generated=False, primary_key=True, unique=True, db_index=True, description="The CMS's own id")),
                ('comparison', fields.ForeignKeyField('verdict.Comparison', source_field='comparison_id', db_index=True, db_constraint=True, to_field='id', related_name='sides', on_delete=OnDelete.CASCADE)),
                ('tool', fields.ForeignKeyField('verdict.Tool', source_field='tool_id', db_index=True, db_constraint=True, to_field='id', related_name='sides', on_delete=OnDelete.CASCADE)),
                ('position', fields.IntField()),
                ('cms_updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('synced_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'comparison_side', 'app': 'verdict', 'pk_attr': 'id', 'table_description': 'One side of a comparison. Sides are shown in ascending ``position``.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Review',
            fields=[
                ('id', fields.IntField(generated=False, primary_key=True, unique=True, db_index=True, description="The CMS's own id")),
                ('status', fields.CharEnumField(db_index=True, description='PUBLISHED: published\nDRAFT: draft\nARCHIVED: archived', enum_type=Status, max_length=16)),
                ('cms_updated_at', fields.DatetimeField(description="The CMS's updated-at time", auto_now=False, auto_now_add=False)),
                ('synced_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('reviewer', fields.ForeignKeyField('verdict.Reviewer', source_field='reviewer_id', db_index=True, db_constraint=True, to_field='id', related_name='reviews', on_delete=OnDelete.CASCADE)),
                ('tool', fields.ForeignKeyField('verdict.Tool', source_field='tool_id', db_index=True, db_constraint=True, to_field='id', related_name='reviews', on_delete=OnDelete.CASCADE)),
                ('verdict', fields.CharEnumField(description='SHIP: ship\nSKIP: skip', enum_type=Verdict, max_length=8)),
                ('quote', fields.TextField(unique=False)),
                ('published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'review', 'app': 'verdict', 'pk_attr': 'id'},
            bases=['CmsRow'],
        ),
        ops.CreateModel(
            name='Vote',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('voter_id', fields.CharField(max_length=64)),
                ('comparison_slug', fields.CharField(max_length=200)),
                ('tool_slug', fields.CharField(max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'vote', 'app': 'verdict', 'unique_together': (('voter_id', 'comparison_slug'),), 'indexes': [Index(fields=['comparison_slug', 'tool_slug'])], 'pk_attr': 'id', 'table_description': "One voter's current pick on one comparison."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='VoteTally',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('comparison_slug', fields.CharField(max_length=200)),
                ('tool_slug', fields.CharField(max_length=200)),
                ('count', fields.IntField(default=0)),
            ],
            options={'table': 'vote_tally', 'app': 'verdict', 'unique_together': (('comparison_slug', 'tool_slug'),), 'pk_attr': 'id', 'table_description': 'The running count of votes for one side, kept equal to the vote rows in one transaction.'},
            bases=['Model'],
        ),
    ]
