from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('verdict', '0003_content_version')]

    initial = False

    operations = [
        ops.CreateModel(
            name='VoteVoid',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('comparison_slug', fields.CharField(db_index=True, max_length=200)),
                ('tool_slug', fields.CharField(max_length=200)),
                ('voter_id', fields.CharField(max_length=64)),
                ('ip_prefix', fields.CharField(null=True, max_length=64)),
                ('voter_minted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('voter_kind', fields.CharField(max_length=16)),
                ('voted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('criterion', fields.CharField(max_length=500)),
                ('reason', fields.CharField(max_length=500)),
                ('voided_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'vote_void', 'app': 'verdict', 'pk_attr': 'id', 'table_description': 'A vote removed by ``verdict votes void``: what it was, and why it went.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Vote',
            name='ip_prefix',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='Vote',
            name='voter_kind',
            field=fields.CharField(default='legacy', max_length=16),
        ),
        ops.AddField(
            model_name='Vote',
            name='voter_minted_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddIndex(
            model_name='Vote',
            index=Index(fields=['comparison_slug', 'updated_at']),
        ),
    ]
